import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldPath, schemaIssues } from './schema.js';

test('fieldPath turns JSON pointers into kubectl field paths', () => {
  assert.equal(fieldPath('/spec/template/spec/containers/0/ports/1/containerPort'), 'spec.template.spec.containers[0].ports[1].containerPort');
  assert.equal(fieldPath('/metadata/labels/app.kubernetes.io~1name'), 'metadata.labels["app.kubernetes.io/name"]');
  assert.equal(fieldPath(''), '');
});

test('a Deployment with wrong types and a missing key is refused with each field path', async () => {
  const issues = await schemaIssues({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 'two',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'c' } } }] }] } },
    },
  });
  assert.deepEqual(issues, [
    { path: 'spec.replicas', reason: 'must be integer' },
    { path: 'spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.key', reason: 'is required' },
  ]);
});

test('a valid Job passes; an unknown kind has no schema', async () => {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
  assert.deepEqual(await schemaIssues(job), []);
  assert.equal(await schemaIssues({ apiVersion: 'v1', kind: 'Gadget' }), undefined);
});
