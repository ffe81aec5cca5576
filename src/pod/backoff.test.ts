import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backOffMessage, delayAfter, judgeEnd, kubeletOwnsRestarts, kubeletRestarts, terminationOf, type BackOffRecord } from './backoff.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
const end = (started: number, finished: number, code = 1) => terminationOf(code, false, at(started), at(finished));

test('backoff: first end restarts at once, then 10 s doubling to 5 min', () => {
  let record: BackOffRecord | undefined;
  const delays: number[] = [];
  let t = 0;
  for (let i = 0; i < 8; i++) {
    const e = end(t, t + 1);
    const judged = judgeEnd(record, e, Date.parse(e.finishedAt));
    record = judged.record;
    delays.push(judged.waitMs / 1000);
    t += 1 + judged.waitMs / 1000;
  }
  assert.deepEqual(delays, [0, 10, 20, 40, 80, 160, 300, 300]);
});

test('backoff: a container that ran 10 min starts over', () => {
  const previous: BackOffRecord = { delayMs: 160_000, last: end(0, 1), waiting: false };
  assert.equal(delayAfter(previous, end(100, 100 + 599)), 300_000);
  assert.equal(delayAfter(previous, end(100, 100 + 600)), 0);
});

test('backoff: an end judged again keeps its delay and counts down', () => {
  const previous: BackOffRecord = { delayMs: 10_000, last: end(0, 1), waiting: false };
  const e = end(2, 3);
  const first = judgeEnd(previous, e, Date.parse(e.finishedAt) + 1000);
  assert.equal(first.record.delayMs, 20_000);
  assert.equal(first.waitMs, 19_000);
  assert.equal(first.record.waiting, true);
  const later = judgeEnd(first.record, e, Date.parse(e.finishedAt) + 25_000);
  assert.equal(later.record.delayMs, 20_000, 'not doubled again');
  assert.equal(later.waitMs, 0);
  assert.equal(later.record.waiting, false);
});

test('backoff: reasons, message and the policies serve restarts under', () => {
  assert.equal(terminationOf(0, false, at(0), at(1)).reason, 'Completed');
  assert.equal(terminationOf(1, false, at(0), at(1)).reason, 'Error');
  assert.equal(terminationOf(137, true, at(0), at(1)).reason, 'OOMKilled');
  assert.equal(backOffMessage(20_000, 'app', 'web-1', 'default'), 'back-off 20s restarting failed container=app pod=web-1_default');
  assert.equal(kubeletRestarts('always', undefined, 0), true);
  assert.equal(kubeletRestarts('on-failure', undefined, 0), false);
  assert.equal(kubeletRestarts('on-failure', undefined, 2), true);
  assert.equal(kubeletRestarts('no', undefined, 2), false);
  assert.equal(kubeletOwnsRestarts('on-failure', 6), false, "a Job's backoffLimit stays Docker's");
  assert.equal(kubeletOwnsRestarts('unless-stopped', undefined), true);
});
