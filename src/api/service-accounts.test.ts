import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../kube/objects/store.js';
import { defaultServiceAccount, serviceAccountTable, withDefaults } from './service-accounts.js';

describe('service accounts', () => {
  it('a default one per namespace, with a stable uid', () => {
    const a = defaultServiceAccount({ name: 'team', uid: 'ns-uid', creationTimestamp: '2026-01-01T00:00:00Z' });
    assert.deepEqual(a.metadata.name, 'default');
    assert.equal(a.metadata.namespace, 'team');
    assert.match(a.metadata.uid!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(defaultServiceAccount({ name: 'team', uid: 'ns-uid' }).metadata.uid, a.metadata.uid);
    assert.notEqual(defaultServiceAccount({ name: 'other' }).metadata.uid, a.metadata.uid);
  });

  it('stored accounts win over the made default, in namespace and name order', () => {
    const stored = [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'b', uid: 'stored' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'default', uid: 'x' } },
    ] as KubeObject[];
    const list = withDefaults(stored, [{ name: 'default' }, { name: 'b' }]);
    assert.deepEqual(list.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['b/default', 'default/builder', 'default/default']);
    assert.equal(list[0]!.metadata.uid, 'stored');
  });

  it("kubectl's columns", () => {
    const t = serviceAccountTable([defaultServiceAccount({ name: 'default' })]);
    assert.deepEqual(t.rows, [['default', '0', '<unknown>']]);
  });
});
