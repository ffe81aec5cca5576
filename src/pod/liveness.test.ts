import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureCount } from './liveness.js';

test('a restart takes failureThreshold failures in a row, and the count starts over after it', () => {
  const count = new FailureCount(3);
  assert.deepEqual([false, false, true, false, false, true].map((passed) => count.failed(passed)), [false, false, false, false, false, false]);
  assert.deepEqual([false, false, false, false].map((passed) => count.failed(passed)), [false, false, true, false]);
});

test('Kubernetes default threshold is 3; a threshold of 1 restarts on the first failure', () => {
  const byDefault = new FailureCount();
  assert.deepEqual([false, false, false].map((p) => byDefault.failed(p)), [false, false, true]);
  assert.equal(new FailureCount(1).failed(false), true);
});
