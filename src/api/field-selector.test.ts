import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPodctlError } from '../util/errors.js';
import { fieldsMatch, fieldsOfObject, parseFieldSelector } from './field-selector.js';

const pod = { metadata: { name: 'web-1', namespace: 'default' }, status: { phase: 'Running' } };

test('metadata.name, metadata.namespace and a pod phase, with =, == and !=', () => {
  const match = (text: string, o = pod, kind = 'Pod') => fieldsMatch(parseFieldSelector(text, kind), fieldsOfObject(o));
  assert.ok(match('metadata.name=web-1'));
  assert.ok(match('metadata.name==web-1,metadata.namespace=default'));
  assert.ok(!match('metadata.name!=web-1'));
  assert.ok(match('status.phase!=Succeeded'));
  assert.ok(!match('status.phase=Pending'));
  assert.ok(match(''));
  assert.deepEqual(parseFieldSelector(null, 'Pod'), []);
});

test('a field the kind does not support, or a selector that does not parse, is a bad request', () => {
  assert.throws(() => parseFieldSelector('status.phase=Running', 'Deployment'), (err) => isPodctlError(err, 'INVALID_ARGUMENT') && err.message === 'field label not supported: status.phase');
  assert.throws(() => parseFieldSelector('spec.nodeName=x', 'Pod'), (err) => isPodctlError(err, 'INVALID_ARGUMENT'));
  assert.throws(() => parseFieldSelector('metadata.name', 'Pod'), (err) => isPodctlError(err, 'INVALID_ARGUMENT') && /can't understand/.test(err.message));
});
