import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeakChecker } from './harness/leaks.js';
import { inspectPod, podctl, podctlOk, uniqueName } from './harness/run.js';
import { RUN_STEPS } from '../src/pod/step-names.js';
import { REMOVE_STEPS, STOP_STEPS, assertOneErrorLine, assertPodGone, faultAt, imageReaching, pauseIdOf, removeForce, stepNamesInSource } from './reliability-support.js';

// A failure injected at every step of `run`, `stop` and `rm -f` (PODCTL_FAULT_STEP): one
// clear error line, a non-zero exit, and nothing left behind — at once for `run`, after a
// following `podctl rm -f` for `stop` and `rm`. The pods have two containers and a host port,
// so every kind of state (portmap chains, masquerade rules, IP files, pins) is at stake.

const DEFAULT_NETWORK = 'podctl';
const runSteps = RUN_STEPS.map((s) => s.replace('<network>', DEFAULT_NETWORK));

let nextPort = 18_400 + (process.pid % 200) * 10;
function podArgs(name: string, step = ''): string[] {
  nextPort += 1;
  return ['run', '--name', name, '--image', imageReaching(step), '--container', 'side=busybox', '--command', 'side=sleep 3600', '-p', `127.0.0.1:${nextPort}:80`];
}

test('RUN_STEPS names every step src/pod runs, so none goes untested', async () => {
  const inSource = await stepNamesInSource();
  const listed = new Set<string>([...RUN_STEPS, ...STOP_STEPS, ...REMOVE_STEPS]);
  assert.deepEqual([...inSource].filter((s) => !listed.has(s)).sort(), [], 'steps in src/pod missing from RUN_STEPS (src/pod/step-names.ts) or the teardown lists here');
  assert.deepEqual([...listed].filter((s) => !inSource.has(s)).sort(), [], 'listed steps src/pod no longer runs');
});

test('a failure at each step of run rolls everything back', { concurrency: 4 }, async (t) => {
  const leaks = await LeakChecker.start();
  await Promise.all(
    runSteps.map((step) =>
      t.test(step, async () => {
        const name = uniqueName('pct-rel');
        try {
          const r = await podctl(podArgs(name, step), { env: faultAt(step) });
          assertOneErrorLine(r, 1, new RegExp(`fault injected at step ${step}`));
          const after = await podctl(['inspect', name]);
          assert.equal(after.exitCode, 1, `no pod is left: ${after.stdout}`);
          await assertPodGone(name);
        } finally {
          await removeForce([name]);
        }
      }),
    ),
  );
  await leaks.assertClean();
});

/** Runs a pod, fails `command` at `step`, checks the pod is still coherent, then rm -f must clean all. */
async function teardownFault(command: string[], step: string): Promise<void> {
  const name = uniqueName('pct-rel');
  let pauseId: string | undefined;
  try {
    await podctlOk(podArgs(name));
    pauseId = await pauseIdOf(name);
    const ips = (await inspectPod(name)).ips;
    const r = await podctl([...command, name], { env: faultAt(step) });
    assertOneErrorLine(r, 1, new RegExp(`fault injected at step ${step}`));
    // podctl still knows the pod and says something sane about it.
    const view = await inspectPod(name);
    assert.match(view.state, /^(running|degraded|stopped|removing|dead)$/, `state after a failed ${command[0]}: ${view.state}`);
    const cleanup = await podctl(['rm', '-f', name]);
    assert.equal(cleanup.exitCode, 0, `rm -f after a failed ${command.join(' ')} at ${step}: ${cleanup.stderr}`);
    await assertPodGone(name, pauseId ? [pauseId] : [], ips);
  } finally {
    await removeForce([name]);
  }
}

test('a failure at each step of stop, then rm -f, leaves nothing', { concurrency: 4 }, async (t) => {
  const leaks = await LeakChecker.start();
  await Promise.all(STOP_STEPS.map((step) => t.test(step, () => teardownFault(['stop'], step))));
  await leaks.assertClean();
});

test('a failure at each step of rm -f, then rm -f, leaves nothing', { concurrency: 4 }, async (t) => {
  const leaks = await LeakChecker.start();
  await Promise.all(REMOVE_STEPS.map((step) => t.test(step, () => teardownFault(['rm', '-f'], step))));
  await leaks.assertClean();
});
