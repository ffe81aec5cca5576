import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, mergePatch } from './index.js';

test('JSON merge patch (RFC 7386): maps merge, null removes, lists are replaced', () => {
  assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] }), { a: 1, b: { d: 3, e: 4 }, l: [3] });
  // The RFC's appendix examples.
  assert.deepEqual(mergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
  assert.deepEqual(mergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
  assert.deepEqual(mergePatch({ e: null }, { a: 1 }), { e: null, a: 1 });
  assert.deepEqual(mergePatch({ a: 'foo' }, 'bar'), 'bar');
});

test('JSON patch (RFC 6902) through fast-json-patch: the operations as kubectl patch --type json sends them; a failing one is a patch error', () => {
  const original = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1 } };
  const out = applyPatch('application/json-patch+json', original, [{ op: 'replace', path: '/spec/replicas', value: 3 }, { op: 'add', path: '/metadata/labels/tier', value: 'db' }], 'Deployment');
  assert.deepEqual(out, { metadata: { name: 'web', labels: { app: 'web', tier: 'db' } }, spec: { replicas: 3 } });
  assert.equal(original.spec.replicas, 1, 'the original is not changed');
  assert.throws(() => applyPatch('application/json-patch+json', original, [{ op: 'remove', path: '/spec/nothing' }], 'Deployment'), (err: Error) => /patch cannot be applied: operation 0/.test(err.message));
  assert.throws(() => applyPatch('application/json-patch+json', original, [{ op: 'test', path: '/spec/replicas', value: 2 }], 'Deployment'), /patch cannot be applied/);
  assert.throws(() => applyPatch('application/json-patch+json', original, { op: 'add' }, 'Deployment'), /must be a list of operations/);
});
