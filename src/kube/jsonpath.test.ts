import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPathValue, parseJsonPath } from './jsonpath.js';

const d = { status: { readyReplicas: 3, conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } };

test('fields, indexes and filters, as kubectl reads them', () => {
  assert.equal(jsonPathValue(d, '{.status.readyReplicas}'), 3);
  assert.equal(jsonPathValue(d, '.status.conditions[1].reason'), 'ProgressDeadlineExceeded');
  assert.equal(jsonPathValue(d, '{.status.conditions[?(@.type=="Available")].status}'), 'True');
  assert.equal(jsonPathValue(d, '{.status.missing}'), undefined);
  assert.equal(jsonPathValue(d, '{.status.conditions[5]}'), undefined);
});

test('what it does not read is said in one line', () => {
  assert.throws(() => parseJsonPath('{.status..x}'), /is not one podctl reads/);
  assert.throws(() => parseJsonPath('{}'), /names no field/);
});
