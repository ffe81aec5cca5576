import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeakChecker, exists } from './harness/leaks.js';
import { inspectPod, podctl, podctlOk, uniqueName } from './harness/run.js';
import { assertPodGone, pauseIdOf, removeForce } from './reliability-support.js';

// Many podctl processes at once: 30 `run` then 30 `rm` in parallel (no error, distinct IPs,
// nothing left), and two operations on one pod at once, which the per-pod lock serialises:
// whatever order they take, both exit sanely and the pod ends in a state that holds together.

const PODS = 30;

test(`${PODS} podctl run in parallel, then ${PODS} podctl rm in parallel`, async (t) => {
  const leaks = await LeakChecker.start();
  const names = Array.from({ length: PODS }, () => uniqueName('pct-rel'));
  try {
    let started = Date.now();
    const runs = await Promise.all(names.map((n) => podctl(['run', '--name', n, '--image', 'busybox', '-q', '--', 'sleep', '3600'], { timeoutMs: 300_000 })));
    t.diagnostic(`${PODS} runs took ${Date.now() - started} ms`);
    runs.forEach((r, i) => assert.equal(r.exitCode, 0, `run ${names[i]}: ${r.stderr}`));
    runs.forEach((r) => assert.equal(r.stderr, '', 'no warnings either'));

    const ps = JSON.parse((await podctlOk(['ps', '-o', 'json'])).stdout) as Array<{ name: string; state: string; ips: string[]; id: string }>;
    const mine = names.map((n) => ps.find((p) => p.name === n));
    assert.deepEqual(mine.map((p) => p?.state), names.map(() => 'running'));
    const ips = mine.map((p) => p?.ips[0]);
    assert.equal(new Set(ips).size, PODS, `distinct IPs: ${ips.join(' ')}`);
    const pauseIds = mine.map((p) => p!.id);

    started = Date.now();
    const removals = await Promise.all(names.map((n) => podctl(['rm', '-f', n], { timeoutMs: 300_000 })));
    t.diagnostic(`${PODS} removals took ${Date.now() - started} ms`);
    removals.forEach((r, i) => assert.equal(r.exitCode, 0, `rm ${names[i]}: ${r.stderr}`));
    removals.forEach((r) => assert.equal(r.stderr, ''));
    for (const [i, n] of names.entries()) await assertPodGone(n, [pauseIds[i]!], [ips[i]!]);
  } finally {
    await removeForce(names);
  }
  await leaks.assertClean();
});

/** The pod holds together: running with its pin and IP, or stopped without either. */
async function assertCoherent(name: string): Promise<string> {
  const pod = await inspectPod(name);
  const pinned = await exists(`/var/run/netns/${name}`);
  if (pod.state === 'running') {
    assert.ok(pinned, 'a running pod has its namespace pin');
    assert.equal(pod.ips.length, 1, 'a running pod has its IP');
    assert.ok(pod.pause.pid, 'and a pause process');
  } else {
    assert.equal(pod.state, 'stopped', `a pod is running or stopped, not ${pod.state}`);
    assert.equal(pinned, false, 'a stopped pod has no pin');
    assert.deepEqual(pod.ips, []);
  }
  return pod.state;
}

test('two operations on one pod at once are serialised', { concurrency: 3 }, async (t) => {
  const leaks = await LeakChecker.start();
  const run = (name: string) => podctlOk(['run', '--name', name, '--image', 'busybox', '-q', '--', 'sleep', '3600']);

  await Promise.all([
    t.test('stop and rm -f at once: the pod is gone, stop either ran first or found nothing', async () => {
      const name = uniqueName('pct-rel');
      try {
        await run(name);
        const pauseId = await pauseIdOf(name);
        const [stop, remove] = await Promise.all([podctl(['stop', '-t', '0', name]), podctl(['rm', '-f', name])]);
        assert.equal(remove.exitCode, 0, remove.stderr);
        if (stop.exitCode !== 0) {
          assert.equal(stop.stderr.trim().split('\n').length, 1, stop.stderr);
          assert.match(stop.stderr, /not found/, 'stop lost the race: the pod was already removed');
        }
        await assertPodGone(name, pauseId ? [pauseId] : []);
      } finally {
        await removeForce([name]);
      }
    }),
    t.test('two rm -f at once: both succeed, once removed', async () => {
      const name = uniqueName('pct-rel');
      try {
        await run(name);
        const pauseId = await pauseIdOf(name);
        const results = await Promise.all([podctl(['rm', '-f', name]), podctl(['rm', '-f', name])]);
        for (const r of results) assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(results.filter((r) => r.stdout.trim() === name).length, 1, 'exactly one of them removed it');
        await assertPodGone(name, pauseId ? [pauseId] : []);
      } finally {
        await removeForce([name]);
      }
    }),
    t.test('stop and start at once, five times: each round ends running or stopped, coherently', async () => {
      const name = uniqueName('pct-rel');
      try {
        await run(name);
        const pauseId = await pauseIdOf(name);
        const seen = new Set<string>();
        for (let round = 0; round < 5; round++) {
          const [stop, start] = await Promise.all([podctl(['stop', '-t', '0', name]), podctl(['start', name])]);
          assert.equal(stop.exitCode, 0, `round ${round} stop: ${stop.stderr}`);
          assert.equal(start.exitCode, 0, `round ${round} start: ${start.stderr}`);
          seen.add(await assertCoherent(name));
        }
        t.diagnostic(`end states seen: ${[...seen].join(', ')}`);
        await podctlOk(['rm', '-f', name]);
        await assertPodGone(name, pauseId ? [pauseId] : []);
      } finally {
        await removeForce([name]);
      }
    }),
  ]);
  await leaks.assertClean();
});
