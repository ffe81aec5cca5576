import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { PODCTL, podctl, podctlOk, uniqueName } from './harness/run.js';
import { assertPodGone, gcActions, seededRandom } from './reliability-support.js';

// SIGKILL of podctl at random moments, not at step boundaries: inside a lock acquisition, a
// checkpoint write, a plugin run, a Docker call. Several names, each hit by a series of
// `run` and `rm -f` killed after a random delay, all names at once. Then gc must finish
// within seconds with nothing it could not do, a second gc must find nothing, and every name
// must be usable again. PODCTL_KILL_SEED=<n> replays a run's delays.

const NAMES = 6;
const ROUNDS = 6;
/** A `podctl run` of nginx takes ~0.4 s here: delays cover it from its first instruction to its end. */
const MAX_DELAY_MS = 700;
/** Not a performance target: a gc that hangs (on a lock, a plugin) is what this catches. */
const GC_BOUND_MS = 20_000;

/** Plugins a killed podctl started finish their own work (nobody kills them); wait until they have. */
async function orphanedPluginsDone(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ps = await execa('ps', ['-eo', 'args='], { reject: false });
    const running = String(ps.stdout).split('\n').filter((l) => /^\/(usr\/lib\/cni|opt\/cni\/bin)\//.test(l));
    if (running.length === 0) return;
    if (Date.now() > deadline) throw new Error(`CNI plugins still running after ${timeoutMs} ms: ${running.join('; ')}`);
    await sleep(50);
  }
}

test('podctl killed at random moments, many times in parallel: gc settles everything within seconds', { timeout: 120_000 }, async (t) => {
  const seed = Number(process.env.PODCTL_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  t.diagnostic(`PODCTL_KILL_SEED=${seed}`);
  const next = seededRandom(seed);
  const leaks = await LeakChecker.start();
  const names = Array.from({ length: NAMES }, () => uniqueName('pct-rel-kill'));
  const plan = names.map((name) => Array.from({ length: ROUNDS }, (_, r) => ({
    args: r % 2 === 0 ? ['run', '--name', name, '--image', 'nginx'] : ['rm', '-f', name],
    delayMs: Math.floor(next() * MAX_DELAY_MS),
  })));
  let killedMidway = 0;
  try {
    await Promise.all(plan.map(async (rounds) => {
      for (const { args, delayMs } of rounds) {
        const child = execa(PODCTL, args, { reject: false, stdin: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        const r = await child;
        clearTimeout(timer);
        if (r.signal === 'SIGKILL') killedMidway += 1;
      }
    }));
    t.diagnostic(`${killedMidway} of ${NAMES * ROUNDS} podctl processes were killed before they finished`);
    assert.ok(killedMidway > 0, 'some podctl was killed midway');
    await orphanedPluginsDone(15_000);

    const started = Date.now();
    const actions = await gcActions([], { timeoutMs: GC_BOUND_MS });
    t.diagnostic(`gc took ${Date.now() - started} ms`);
    assert.deepEqual(actions.filter((a) => a.error), [], 'gc did everything it found');
    const again = await gcActions(['--dry-run']);
    assert.deepEqual(again.filter((a) => names.some((n) => a.target.includes(n))), [], 'a second gc finds nothing more of these pods');

    // Every name is usable again: a full run and rm, with nothing left behind.
    await Promise.all(names.map(async (name) => {
      await podctlOk(['rm', '-f', name]);
      await podctlOk(['run', '--name', name, '--image', 'nginx']);
      await podctlOk(['rm', '-f', name]);
      await assertPodGone(name);
    }));
  } finally {
    await podctl(['rm', '-f', ...names]);
  }
  await leaks.assertClean();
});
