import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeakChecker } from './harness/leaks.js';
import { inspectPod, podctlOk, uniqueName } from './harness/run.js';
import { PrivateCni, assertPodGone, gcActions, pauseIdOf, removeForce, startHung } from './reliability-support.js';

// gc finishes in bounded time whatever it finds: here a plugin that never answers DEL (and no
// --plugin-timeout, so the 60 s default applies to every other command) and a pod whose lock a
// live, stuck podctl holds. gc bounds each (src/pod/gc.ts GC_BOUNDS), reports what it could
// not do, and goes on; once the stuck podctl is gone, the next gc settles that pod too.

/** A fake plugin (node, no shell): passes prevResult through on ADD, never answers DEL. */
const hangsOnDel = `#!${process.execPath}
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', () => {
  const command = process.env.CNI_COMMAND;
  if (command === 'DEL') return setInterval(() => undefined, 1 << 30);
  const conf = input ? JSON.parse(input) : {};
  if (command === 'ADD') process.stdout.write(JSON.stringify(conf.prevResult ?? { cniVersion: conf.cniVersion }));
  if (command === 'VERSION') process.stdout.write(JSON.stringify({ cniVersion: '1.0.0', supportedVersions: ['0.3.1', '0.4.0', '1.0.0'] }));
});
`;


/** Well above gc's own bounds (10 s per plugin, 2 s per lock), well below the 60 s plugin default. */
const GC_LIMIT_MS = 25_000;

test('gc is bounded: a plugin hung on DEL and a lock held by a stuck podctl', { timeout: 120_000 }, async (t) => {
  const leaks = await LeakChecker.start();
  const cni = await PrivateCni.create({ network: 'pct-rel-gcnet', bridge: 'pct-relgcbr', subnet: '10.234.40.0/24', extraPlugins: [{ type: 'pct-hang' }] });
  const hungName = uniqueName('pct-rel-gc');
  const lockedName = uniqueName('pct-rel-gc');
  let stuck: Awaited<ReturnType<typeof startHung>> | undefined;
  try {
    await cni.writePlugin('pct-hang', hangsOnDel);
    await podctlOk([...cni.flags, 'run', '--name', hungName, '--image', 'nginx']);
    const hungPause = (await pauseIdOf(hungName))!;
    const hungIps = (await inspectPod(hungName)).ips;
    // A removal killed before its DEL: gc must finish it, and the DEL it runs hangs.
    await (await startHung([...cni.flags, 'rm', '-f', hungName], 'cni-del')).kill();

    await podctlOk(['run', '--name', lockedName, '--image', 'nginx']);
    const lockedPause = (await pauseIdOf(lockedName))!;
    // A stop that hangs before its DEL and stays alive: its pod's lock is held.
    stuck = await startHung(['stop', lockedName], 'cni-del');

    const started = Date.now();
    const actions = await gcActions([], { timeoutMs: GC_LIMIT_MS, flags: cni.flags });
    t.diagnostic(`gc took ${Date.now() - started} ms`);
    const hung = actions.find((a) => a.target === hungName);
    assert.ok(hung && !hung.error, `gc removed the pod whose plugin hangs on DEL: ${JSON.stringify(actions)}`);
    await assertPodGone(hungName, [hungPause], hungIps);
    const locked = actions.find((a) => a.target === lockedName);
    assert.match(locked?.error ?? "", /busy.*skipped: another podctl is working on it/, `gc says what it could not do: ${JSON.stringify(actions)}`);

    await stuck.kill();
    stuck = undefined;
    const after = await gcActions([], { timeoutMs: GC_LIMIT_MS });
    assert.deepEqual(after.filter((a) => a.target === lockedName).map((a) => [a.action, a.error]), [['stop', undefined]], 'with its holder dead, the pod is settled at once');
    assert.equal((await inspectPod(lockedName)).state, 'stopped');
    await podctlOk(['rm', '-f', lockedName]);
    await assertPodGone(lockedName, [lockedPause]);
  } finally {
    await stuck?.kill();
    await removeForce([hungName], cni.flags);
    await removeForce([lockedName]);
    await cni.cleanup();
  }
  await leaks.assertClean();
});
