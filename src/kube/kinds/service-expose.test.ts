import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects/store.js';
import { exposedSelector } from './service-expose.js';

const deployment = (selector: unknown): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { selector } });

test("a Deployment's matchLabels become the Service's selector (not its template's other labels)", () => {
  assert.deepEqual(exposedSelector(deployment({ matchLabels: { app: 'web', tier: 'front' } })), { app: 'web', tier: 'front' });
});

test('matchExpressions cannot become a Service selector: one clear refusal', () => {
  assert.throws(() => exposedSelector(deployment({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a'] }] })), /deployment web selects its pods with matchExpressions, which a Service selector cannot express/);
  assert.throws(() => exposedSelector(deployment({ matchExpressions: [{ key: 'env', operator: 'Exists' }] })), /matchExpressions/);
});

test('a workload without matchLabels is refused', () => {
  assert.throws(() => exposedSelector(deployment(undefined)), /deployment web has no spec\.selector\.matchLabels/);
});
