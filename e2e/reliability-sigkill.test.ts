import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk, uniqueName } from './harness/run.js';
import { RUN_STEPS } from '../src/pod/step-names.js';
import { REMOVE_STEPS, STOP_STEPS, assertPodGone, gcActions, imageReaching, leftoversOf, pauseIdOf, startHung, type GcAction } from './reliability-support.js';

// SIGKILL of podctl at every step (PODCTL_FAULT_MODE=hang, then kill -9: no handler of podctl
// runs). `podctl gc --dry-run` must then report what the killed run left without touching
// anything, and `podctl gc` must leave nothing. All kills happen first, in parallel, then one
// dry run and one gc see them all; per-step subtests say which step left what.

const runSteps = RUN_STEPS.map((s) => s.replace('<network>', 'podctl'));
// Before the checkpoint is written a killed run has made nothing: gc has nothing to report.
const firstStateful = runSteps.indexOf('create-pause');

interface Killed {
  label: string;
  name: string;
  pauseId?: string;
  /** gc must report (and act on) this pod. */
  leavesState: boolean;
  /** After gc the pod may stay as a stopped pod (an interrupted stop ends stopped). */
  survivesAsStopped: boolean;
}



// A host port each, so every step runs (guard-route-localnet only runs for published ports).
let nextPort = 22_000 + (process.pid % 100) * 40;

async function killRunAt(step: string, index: number): Promise<Killed> {
  const name = uniqueName('pct-rel');
  nextPort += 1;
  const hung = await startHung(['run', '--name', name, '--image', imageReaching(step), '--container', 'side=busybox', '--command', 'side=sleep 3600', '-p', `127.0.0.1:${nextPort}:80`], step);
  const pauseId = await pauseIdOf(name);
  await hung.kill();
  return { label: `run killed before ${step}`, name, ...(pauseId ? { pauseId } : {}), leavesState: index >= firstStateful, survivesAsStopped: false };
}

async function killTeardownAt(command: string[], step: string): Promise<Killed> {
  const name = uniqueName('pct-rel');
  await podctlOk(['run', '--name', name, '--image', 'nginx']);
  const pauseId = await pauseIdOf(name);
  const hung = await startHung([...command, name], step);
  await hung.kill();
  return { label: `${command.join(' ')} killed before ${step}`, name, ...(pauseId ? { pauseId } : {}), leavesState: true, survivesAsStopped: command[0] === 'stop' };
}

test('gc recovers from podctl killed at every step of run, stop and rm', { concurrency: 6 }, async (t) => {
  const leaks = await LeakChecker.start();
  const killed: Killed[] = [];
  const started = Date.now();
  try {
    killed.push(
      ...(await Promise.all([
        ...runSteps.map((step, i) => killRunAt(step, i)),
        ...STOP_STEPS.map((step) => killTeardownAt(['stop'], step)),
        ...REMOVE_STEPS.map((step) => killTeardownAt(['rm', '-f'], step)),
      ])),
    );

    t.diagnostic(`all podctl processes killed after ${Date.now() - started} ms`);
    // What each killed pod left, before and after the dry run: it must change none of it.
    const leftovers = () => Promise.all(killed.map((k) => leftoversOf(k.name, k.pauseId ? [k.pauseId] : [])));
    const before = await leftovers();
    const dryRun = await gcActions(['--dry-run']);
    const after = await leftovers();
    const gc = await gcActions([]);
    const again = await gcActions(['--dry-run']);
    t.diagnostic(`gc --dry-run, gc and gc --dry-run again done after ${Date.now() - started} ms`);

    await Promise.all(
      killed.map((k) =>
        t.test(k.label, async () => {
          const mine = (actions: GcAction[]) => actions.filter((a) => a.target === k.name || a.target.includes(`_${k.name}_`) || (k.pauseId !== undefined && a.target.includes(k.pauseId.slice(0, 12))));
          const i = killed.indexOf(k);
          assert.deepEqual(after[i], before[i], 'gc --dry-run changed nothing');
          if (k.leavesState) assert.ok(before[i]!.length > 0, 'the killed podctl left something for gc to find');
          if (k.leavesState) assert.ok(mine(dryRun).length > 0, `gc --dry-run reports ${k.name}; it reported:\n${JSON.stringify(dryRun, null, 1)}`);
          else assert.deepEqual(mine(dryRun), [], 'nothing to report before the first side effect');
          assert.deepEqual(mine(gc).filter((a) => a.error), [], 'gc finished every action');
          assert.deepEqual(mine(again), [], 'a second gc finds nothing more');
          if (k.survivesAsStopped) {
            const view = JSON.parse((await podctlOk(['inspect', k.name])).stdout) as { state: string };
            assert.equal(view.state, 'stopped', 'an interrupted stop ends stopped');
            await podctlOk(['rm', '-f', k.name]);
          }
          await assertPodGone(k.name, k.pauseId ? [k.pauseId] : []);
        }),
      ),
    );
  } finally {
    await podctl(['rm', '-f', ...killed.map((k) => k.name)]);
  }
  await leaks.assertClean();
});
