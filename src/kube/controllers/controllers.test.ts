import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveIntOrPercent, rolloutStep, templateHash, podSuffix } from './rollout.js';
import { jobStep } from './job.js';
import { exitCodeOf } from '../../docker/containers.js';

const step = (replicas: number, surge: number, unavail: number, cur: [number, number], old: [number, number]) =>
  rolloutStep({ replicas, maxSurge: surge, maxUnavailable: unavail, current: { total: cur[0], ready: cur[1] }, old: { total: old[0], ready: old[1] } });

test('scale up, scale down, steady', () => {
  assert.deepEqual(step(3, 1, 0, [0, 0], [0, 0]), { create: 3, deleteOld: 0, deleteCurrent: 0, done: false, stuck: false });
  assert.deepEqual(step(1, 1, 0, [3, 3], [0, 0]), { create: 0, deleteOld: 0, deleteCurrent: 2, done: false, stuck: false });
  assert.equal(step(2, 1, 0, [2, 2], [0, 0]).done, true);
});

test('rolling update with maxSurge 1, maxUnavailable 0: one new pod, then one old pod goes', () => {
  assert.deepEqual(step(2, 1, 0, [0, 0], [2, 2]), { create: 1, deleteOld: 0, deleteCurrent: 0, done: false, stuck: false });
  assert.deepEqual(step(2, 1, 0, [1, 1], [2, 2]), { create: 0, deleteOld: 1, deleteCurrent: 0, done: false, stuck: false });
  assert.deepEqual(step(2, 1, 0, [1, 1], [1, 1]), { create: 1, deleteOld: 0, deleteCurrent: 0, done: false, stuck: false });
  assert.deepEqual(step(2, 1, 0, [2, 2], [1, 1]), { create: 0, deleteOld: 1, deleteCurrent: 0, done: false, stuck: false });
});

test('maxUnavailable lets old pods go before new ones are ready; Recreate is surge 0, unavailable all', () => {
  assert.deepEqual(step(4, 0, 1, [0, 0], [4, 4]), { create: 0, deleteOld: 1, deleteCurrent: 0, done: false, stuck: false });
  assert.deepEqual(step(4, 0, 1, [0, 0], [3, 3]), { create: 1, deleteOld: 0, deleteCurrent: 0, done: false, stuck: false });
  assert.deepEqual(step(2, 0, 2, [0, 0], [2, 2]), { create: 0, deleteOld: 2, deleteCurrent: 0, done: false, stuck: false });
});

test('old pods that are not ready go at once; new pods that never get ready stall the rollout', () => {
  assert.deepEqual(step(2, 1, 0, [0, 0], [2, 0]), { create: 1, deleteOld: 2, deleteCurrent: 0, done: false, stuck: false });
  assert.equal(step(2, 1, 0, [1, 0], [2, 2]).stuck, true);
});

test('percentages: surge rounds up, unavailable down (25% of 10 = 3 and 2)', () => {
  assert.equal(resolveIntOrPercent(undefined, 10, '25%', true), 3);
  assert.equal(resolveIntOrPercent(undefined, 10, '25%', false), 2);
  assert.equal(resolveIntOrPercent(2, 10, '25%', false), 2);
  assert.ok(Number.isNaN(resolveIntOrPercent('x', 10, '25%', false)));
});

test('template hash is stable and uses the safe alphabet; suffixes are 5 safe letters', () => {
  assert.equal(templateHash('{"a":1}'), templateHash('{"a":1}'));
  assert.notEqual(templateHash('{"a":1}'), templateHash('{"a":2}'));
  assert.match(templateHash('x'), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.match(podSuffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('job: parallel pods until completions, backoffLimit and deadline fail it', () => {
  const base = { completions: 3, parallelism: 2, backoffLimit: 1, succeeded: 0, failed: 0, active: 0, deadlineExceeded: false };
  assert.deepEqual(jobStep(base), { create: 2, stopActive: false });
  assert.deepEqual(jobStep({ ...base, succeeded: 2, active: 0 }), { create: 1, stopActive: false });
  assert.deepEqual(jobStep({ ...base, succeeded: 2, active: 1 }), { create: 0, stopActive: false });
  assert.deepEqual(jobStep({ ...base, succeeded: 3 }), { create: 0, stopActive: false, condition: { type: 'Complete' } });
  assert.deepEqual(jobStep({ ...base, failed: 2, active: 1 }), { create: 0, stopActive: true, condition: { type: 'Failed', reason: 'BackoffLimitExceeded' } });
  assert.deepEqual(jobStep({ ...base, failed: 1 }), { create: 2, stopActive: false });
  assert.deepEqual(jobStep({ ...base, deadlineExceeded: true, active: 2 }), { create: 0, stopActive: true, condition: { type: 'Failed', reason: 'DeadlineExceeded' } });
});

test('exit codes from Docker status lines', () => {
  assert.equal(exitCodeOf('Exited (0) 2 seconds ago'), 0);
  assert.equal(exitCodeOf('Exited (137) About a minute ago'), 137);
  assert.equal(exitCodeOf('Up 3 seconds'), undefined);
});
