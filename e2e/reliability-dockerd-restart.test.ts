import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { fetchText, inspectPod, podctlOk, uniqueName } from './harness/run.js';
import { assertPodGone, clearAsRebootWould, engineRestartSkip, gcActions, leftoversOf, pauseIdOf, restartEngine } from './reliability-support.js';

// The engine stopped under a running pod, two ways:
//  - dockerd restarted: every container stops, the pinned namespace keeps the pod's CNI wiring.
//    `ps` must say degraded, `podctl start` must rewire the pod, `rm -f` must leave nothing.
//  - a host reboot, simulated: dockerd stopped, the namespace pin and /run/podctl removed (both
//    live on tmpfs), dockerd started. The pod must show stopped with no IP, gc must release the
//    addresses its networks still hold (with the cached config), and `start` must bring it back.
// The engine is stopped and started the way `make setup` starts it (restartEngine).

const skip = await engineRestartSkip();

interface PsRow {
  name: string;
  state: string;
  ips: string[];
}


test('a pod survives a dockerd restart: degraded, then rewired by start, then removed without leaks', { skip, timeout: 180_000 }, async () => {
  const leaks = await LeakChecker.start();
  const name = uniqueName('pct-rel-dockerd');
  try {
    await podctlOk(['run', '--image', 'nginx', '--name', name, '--wait-http', ':80/']);
    await restartEngine();
    const down = await inspectPod(name);
    assert.equal(down.state, 'degraded', 'every container stopped with the engine');
    await podctlOk(['start', name, '--wait-http', ':80/']);
    const up = await inspectPod(name);
    assert.equal(up.state, 'running');
    assert.match((await fetchText(`http://${up.ips[0]}/`)).body, /Welcome to nginx!/);
  } finally {
    await podctlOk(['rm', '-f', name]);
  }
  await leaks.assertClean();
});

test('after a reboot a pod is stopped with no IP, gc releases its addresses, start brings it back', { skip, timeout: 180_000 }, async () => {
  const leaks = await LeakChecker.start();
  const name = uniqueName('pct-rel-reboot');
  try {
    await podctlOk(['run', '--image', 'nginx', '--name', name, '--wait-http', ':80/']);
    const pauseId = (await pauseIdOf(name))!;
    const before = await inspectPod(name);
    // What a reboot clears: /var/run/netns and /run/podctl are tmpfs (Docker's containers stay, stopped).
    await restartEngine(() => clearAsRebootWould([name]));

    const row = (JSON.parse((await podctlOk(['ps', '-a', '-o', 'json'])).stdout) as PsRow[]).find((p) => p.name === name);
    assert.deepEqual(row && { state: row.state, ips: row.ips }, { state: 'stopped', ips: [] }, 'ps: the sandbox is gone, so the pod is stopped');
    const shown = await inspectPod(name);
    assert.equal(shown.state, 'stopped');
    assert.equal(shown.netns, '', 'inspect names no namespace that does not exist');
    assert.ok((await leftoversOf(name, [pauseId])).some((l) => l.startsWith('IP file')), 'the address is still allocated before gc');

    const dry = await gcActions(['--dry-run']);
    assert.deepEqual(dry.filter((a) => a.target === name).map((a) => a.action), ['release'], 'gc --dry-run says it releases the pod\'s networks');
    const gc = await gcActions();
    assert.deepEqual(gc.filter((a) => a.target === name).map((a) => [a.action, a.error]), [['release', undefined]]);
    const left = await leftoversOf(name, [pauseId], before.ips);
    assert.deepEqual(left.filter((l) => !l.startsWith('container ') && !l.startsWith('checkpoint dir')), [], 'gc released the address, the cache entry and the rules');
    assert.equal((await inspectPod(name)).state, 'stopped');

    await podctlOk(['start', name, '--wait-http', ':80/']);
    const up = await inspectPod(name);
    assert.equal(up.state, 'running');
    assert.match((await fetchText(`http://${up.ips[0]}/`)).body, /Welcome to nginx!/);
    await podctlOk(['rm', '-f', name]);
    await assertPodGone(name, [pauseId], [...before.ips, ...up.ips]);
  } finally {
    await podctlOk(['rm', '-f', name]);
  }
  await leaks.assertClean();
});
