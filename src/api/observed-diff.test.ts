import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../kube/objects/store.js';
import { objectTable } from '../kube/tables.js';
import { diffObserved, observedKey, type Observed } from './observed-diff.js';

const rs = (name: string, replicas: number, ready: number, created = '2026-01-01T00:00:00Z'): Observed => {
  const object: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', creationTimestamp: created }, spec: { replicas }, status: { replicas, readyReplicas: ready } };
  return { object, row: objectTable('ReplicaSet', [object]).rows[0]! };
};
const known = (...list: Observed[]) => new Map(list.map((o) => [observedKey(o.object), o]));

test("a Deployment's ReplicaSets as a watch sees them: ADDED when new, MODIFIED when replicas or readiness change, DELETED when gone", () => {
  assert.deepEqual(diffObserved(known(), [rs('web-a', 1, 0)], 'ReplicaSet').map((c) => [c.type, c.object.metadata.name]), [['ADDED', 'web-a']]);
  assert.deepEqual(diffObserved(known(rs('web-a', 1, 0)), [rs('web-a', 1, 1)], 'ReplicaSet').map((c) => c.type), ['MODIFIED']);
  assert.deepEqual(diffObserved(known(rs('web-a', 1, 1)), [rs('web-a', 3, 1)], 'ReplicaSet').map((c) => c.type), ['MODIFIED']);
  assert.deepEqual(diffObserved(known(rs('web-a', 1, 1), rs('web-b', 0, 0)), [rs('web-a', 1, 1)], 'ReplicaSet').map((c) => [c.type, c.object.metadata.name]), [['DELETED', 'web-b']]);
  // The same ReplicaSet read again later (its AGE cell moved on): no change.
  const later = rs('web-a', 1, 1);
  later.row = later.row.map((cell, i) => (objectTable('ReplicaSet', []).columns[i]!.header === 'AGE' ? '5m' : cell));
  assert.deepEqual(diffObserved(known(rs('web-a', 1, 1)), [later], 'ReplicaSet'), []);
});
