import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesce } from './coalesce.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('calls while a run is in progress fold into one more run, which every caller awaits', async () => {
  let runs = 0;
  let release: () => void = () => undefined;
  const job = coalesce(async () => {
    runs++;
    if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
  });
  const first = job();
  await tick();
  const second = job();
  const third = job();
  assert.equal(runs, 1);
  release();
  await Promise.all([first, second, third]);
  assert.equal(runs, 2);
  await job.idle();
  await job();
  assert.equal(runs, 3);
});

test('a stopped owner ends the loop; a failing run rejects its callers and leaves the job usable', async () => {
  let stop = false;
  let runs = 0;
  let release: () => void = () => undefined;
  const job = coalesce(async () => {
    runs++;
    if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
  }, () => stop);
  const first = job();
  await tick();
  void job();
  stop = true;
  release();
  await first;
  assert.equal(runs, 1);

  const failing = coalesce(async () => {
    throw new Error('boom');
  });
  await assert.rejects(failing(), /boom/);
  await assert.rejects(failing(), /boom/);
  await failing.idle();
});
