import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectTable } from '../kube/tables.js';
import { tableOf, tableVersionAccepted } from './table.js';

test('the Table version kubectl asks for, in its order; none for a plain JSON client', () => {
  assert.equal(tableVersionAccepted('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), 'v1');
  assert.equal(tableVersionAccepted('application/json;as=Table;v=v1beta1;g=meta.k8s.io'), 'v1beta1');
  assert.equal(tableVersionAccepted('application/json'), undefined);
});

test("a Deployment's table: podctl's columns, the wide ones at priority 1, the name column marked, the metadata per row", () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } } }, status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 } };
  const table = tableOf({ metadata: [d.metadata], table: objectTable('Deployment', [d], now) }, 'v1') as {
    apiVersion: string;
    columnDefinitions: Array<{ name: string; format: string; priority: number }>;
    rows: Array<{ cells: string[]; object: { kind: string; metadata: { name: string } } }>;
  };
  assert.equal(table.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(table.columnDefinitions.map((c) => [c.name, c.priority]), [['NAME', 0], ['READY', 0], ['UP-TO-DATE', 0], ['AVAILABLE', 0], ['AGE', 0], ['CONTAINERS', 1], ['IMAGES', 1], ['SELECTOR', 1]]);
  assert.equal(table.columnDefinitions[0]!.format, 'name');
  assert.deepEqual(table.rows[0]!.cells, ['web', '1/2', '2', '1', '10m', 'nginx', 'nginx:1', '{"app":"web"}']);
  assert.equal(table.rows[0]!.object.kind, 'PartialObjectMetadata');
  assert.equal(table.rows[0]!.object.metadata.name, 'web');
  const bare = tableOf({ metadata: [d.metadata], table: objectTable('Deployment', [d], now) }, 'v1', 'None') as { rows: Array<Record<string, unknown>> };
  assert.equal(bare.rows[0]!.object, undefined);
});
