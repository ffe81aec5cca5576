import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTarget } from './server.js';

const name = (t: ReturnType<typeof resolveTarget>) => t && [t.resource.name, t.namespace, t.name];

test('URLs to resources: namespaced lists and gets, across namespaces, cluster-scoped ones', () => {
  assert.deepEqual(name(resolveTarget('', 'v1', ['pods'])), ['pods', undefined, undefined]);
  assert.deepEqual(name(resolveTarget('', 'v1', ['namespaces', 'dev', 'pods'])), ['pods', 'dev', undefined]);
  assert.deepEqual(name(resolveTarget('', 'v1', ['namespaces', 'dev', 'pods', 'web'])), ['pods', 'dev', 'web']);
  assert.deepEqual(name(resolveTarget('apps', 'v1', ['namespaces', 'default', 'deployments', 'web'])), ['deployments', 'default', 'web']);
  assert.deepEqual(name(resolveTarget('', 'v1', ['namespaces'])), ['namespaces', undefined, undefined]);
  assert.deepEqual(name(resolveTarget('', 'v1', ['namespaces', 'dev'])), ['namespaces', undefined, 'dev']);
});

test('what the API server does not serve resolves to nothing (its 404)', () => {
  assert.equal(resolveTarget('', 'v1', ['nodes']), undefined);
  assert.equal(resolveTarget('', 'v1', ['pods', 'web']), undefined, 'a namespaced object outside its namespace');
  assert.equal(resolveTarget('', 'v1', ['namespaces', 'dev', 'pods', 'web', 'log']), undefined, 'subresources are not served yet');
  assert.equal(resolveTarget('apps', 'v1', ['pods']), undefined, 'pods are not in apps');
  assert.equal(resolveTarget('', 'v1', ['namespaces', 'dev', 'namespaces']), undefined);
});
