import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../util/logger.js';
import { ReadinessWaits } from './readiness.js';

test("a pod's readiness wait runs once at a time, and its owner is synced again when it ends, passed or failed", async () => {
  const requeued: string[] = [];
  const waits = new ReadinessWaits((key) => requeued.push(key), silentLogger);
  let runs = 0;
  const wait = (fail: boolean) => async () => {
    runs++;
    await sleep(10);
    if (fail) throw new Error('probe failed');
  };
  waits.watch('web-1', wait(false), 'Deployment/default/web');
  waits.watch('web-1', wait(false), 'Deployment/default/web');
  waits.watch('db-0', wait(true), 'StatefulSet/default/db');
  assert.equal(waits.size, 2);
  await sleep(30);
  assert.equal(runs, 2);
  assert.deepEqual(requeued.sort(), ['Deployment/default/web', 'StatefulSet/default/db']);
  assert.equal(waits.size, 0);
});
