import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poll } from './poll.js';

test('poll returns the first defined value and passes the attempt number', async () => {
  const seen: number[] = [];
  const value = await poll(async (n) => (seen.push(n), n === 3 ? 'ready' : undefined), { firstDelayMs: 1, maxDelayMs: 2 });
  assert.equal(value, 'ready');
  assert.deepEqual(seen, [1, 2, 3]);
});

test('poll gives up after the allowed attempts, without a last pause', async () => {
  let calls = 0;
  const started = Date.now();
  assert.equal(await poll(async () => void calls++, { firstDelayMs: 1, maxDelayMs: 1, attempts: 4 }), undefined);
  assert.equal(calls, 4);
  assert.ok(Date.now() - started < 1000);
});

test('poll stops at the deadline and never sleeps past it', async () => {
  const deadline = Date.now() + 30;
  let calls = 0;
  // A long backoff would overshoot: each pause is cut to what is left before the deadline.
  assert.equal(await poll(async () => void calls++, { firstDelayMs: 10_000, maxDelayMs: 10_000, deadline }), undefined);
  assert.ok(Date.now() - deadline < 1000, 'returned soon after the deadline');
  assert.ok(calls >= 1);
});
