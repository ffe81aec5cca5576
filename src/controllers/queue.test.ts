import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkQueue, runWorkers } from './queue.js';

test('a key added many times is queued once', async () => {
  const q = new WorkQueue();
  q.add('Deployment/default/web');
  q.add('Deployment/default/web');
  q.add('Job/default/pi');
  q.add('Deployment/default/web');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'Deployment/default/web');
  assert.equal(await q.get(), 'Job/default/pi');
  assert.equal(q.length, 0);
});

test('a key added while it is processed goes to no second worker, and comes back once when done', async () => {
  const q = new WorkQueue();
  q.add('k');
  const first = await q.get();
  q.add('k');
  q.add('k');
  assert.equal(q.length, 0, 'not handed out while processing');
  let second: string | undefined;
  void q.get().then((k) => (second = k));
  await sleep(5);
  assert.equal(second, undefined);
  q.done(first!);
  await sleep(0);
  assert.equal(second, 'k');
});

test('a waiting worker gets a key the moment it is added', async () => {
  const q = new WorkQueue();
  const got = q.get();
  q.add('a');
  assert.equal(await got, 'a');
});

test('failures back off exponentially per key, a success resets it', () => {
  const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
  assert.deepEqual([q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a')], [10, 20, 40, 50]);
  assert.equal(q.addRateLimited('b'), 10, 'per key');
  assert.equal(q.numRequeues('a'), 4);
  q.forget('a');
  assert.equal(q.addRateLimited('a'), 10);
  q.shutDown();
});

test('addAfter queues later; the earliest of two delayed adds stands', async () => {
  const q = new WorkQueue();
  q.addAfter('k', 40);
  q.addAfter('k', 10);
  q.addAfter('k', 30);
  assert.equal(q.length, 0);
  await sleep(20);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'k');
  await sleep(40);
  assert.equal(q.length, 0, 'the later timers were dropped');
});

test('shutDown ends waiting workers and drops delayed adds', async () => {
  const q = new WorkQueue();
  q.addAfter('k', 10);
  const waiting = q.get();
  q.shutDown();
  assert.equal(await waiting, undefined);
  await sleep(20);
  assert.equal(q.length, 0);
  q.add('x');
  assert.equal(await q.get(), undefined);
});

test('workers never run one key twice at once, retry failures with backoff and stop on shutdown', async () => {
  const q = new WorkQueue({ baseDelayMs: 1 });
  const running = new Set<string>();
  let overlap = false;
  let calls = 0;
  let fails = 2;
  const errors: number[] = [];
  const done = runWorkers(
    q,
    4,
    async (key) => {
      if (running.has(key)) overlap = true;
      running.add(key);
      calls++;
      await sleep(2);
      running.delete(key);
      if (key === 'bad' && fails-- > 0) throw new Error('boom');
    },
    (_key, _err, delay) => errors.push(delay),
  );
  for (let i = 0; i < 20; i++) {
    q.add('k');
    q.add('bad');
    await sleep(1);
  }
  await sleep(30);
  q.shutDown();
  await done;
  assert.equal(overlap, false);
  assert.deepEqual(errors, [1, 2]);
  assert.equal(q.numRequeues('bad'), 0, 'forgotten after its success');
  assert.ok(calls < 40, `coalesced: ${calls} syncs for 40 adds`);
});

test("a failure the policy calls no fault of the key retries after its fixed delay and grows no backoff; forgetAll resets every key's", async () => {
  const q = new WorkQueue({ baseDelayMs: 1 });
  const away = new Error('engine away');
  let fails = 3;
  const delays: number[] = [];
  const done = runWorkers(
    q,
    1,
    async () => {
      if (fails-- > 0) throw away;
    },
    (_key, _err, delay) => delays.push(delay),
    { retryWithoutBackoffMs: (err) => (err === away ? 2 : undefined) },
  );
  q.add('k');
  await sleep(40);
  q.shutDown();
  await done;
  assert.deepEqual(delays, [2, 2, 2]);
  assert.equal(q.numRequeues('k'), 0);
  q.addRateLimited('a');
  q.addRateLimited('b');
  q.forgetAll();
  assert.equal(q.numRequeues('a') + q.numRequeues('b'), 0);
});
