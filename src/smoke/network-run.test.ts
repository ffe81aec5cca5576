import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkRun } from './network-run.js';
import type { CheckResult } from './types.js';

test('checks are timed; a throw is a failure with its message; outcomes can skip or add detail', async () => {
  const seen: string[] = [];
  const run = new NetworkRun('n', 'f.conflist', { checkStarted: (_n, c) => seen.push(`start ${c}`), checkFinished: (_n, r) => seen.push(`${r.status} ${r.name}`) });
  assert.equal(await run.check('static', 'a', () => undefined), true);
  assert.equal(await run.check('static', 'b', () => { throw new Error('expected x, found y'); }), false);
  assert.equal(await run.check('live', 'c', async () => ({ skipped: 'why' })), false);
  assert.equal(await run.check('live', 'd', () => ({ detail: 'eth0 10.0.0.2/24' })), true);
  run.skip('live', 'e', 'not applicable');
  const checks = run.finish().checks;
  assert.deepEqual(checks.map((c: CheckResult) => [c.name, c.status, c.message ?? c.detail]), [
    ['a', 'passed', undefined], ['b', 'failed', 'expected x, found y'], ['c', 'skipped', 'why'], ['d', 'passed', 'eth0 10.0.0.2/24'], ['e', 'skipped', 'not applicable'],
  ]);
  assert.equal(run.failed, true);
  assert.deepEqual(seen.slice(0, 4), ['start a', 'passed a', 'start b', 'failed b']);
});

test('after an abort the remaining checks are skipped, not run', async () => {
  const controller = new AbortController();
  const run = new NetworkRun('n', undefined, {}, controller.signal);
  controller.abort();
  let ran = false;
  assert.equal(await run.check('live', 'x', () => { ran = true; }), false);
  assert.equal(ran, false);
  assert.equal(run.report.checks[0]?.status, 'skipped');
});
