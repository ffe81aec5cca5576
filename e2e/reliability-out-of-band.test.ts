import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, stat } from 'node:fs/promises';
import { LeakChecker } from './harness/leaks.js';
import { eventually, fetchText, inspectPod, podctl, podctlOk, sh, uniqueName } from './harness/run.js';
import { PrivateCni, assertOneErrorLine, assertPodGone, pauseIdOf, removeForce, type PrivateCniOptions } from './reliability-support.js';

// Faults from outside podctl, between its commands: the pause container killed, removed or
// restarted behind its back, the namespace link deleted, the network config edited or deleted
// between ADD and DEL, a plugin binary removed before DEL, a plugin that hangs. After each,
// `podctl rm -f` must leave nothing. The cases run in parallel (the hanging-plugin cases use
// --plugin-timeout 3 instead of the 60 s default); each names what its own pod left, and the
// leak checker closes the lot.
//
// dockerd restarted under a pod: e2e/reliability-dockerd-restart.test.ts (on its own, since
// it stops every container on the machine).

interface PodPs {
  name: string;
  state: string;
  ips: string[];
}

async function psState(name: string): Promise<string | undefined> {
  const rows = JSON.parse((await podctlOk(['ps', '-a', '-o', 'json'])).stdout) as PodPs[];
  return rows.find((p) => p.name === name)?.state;
}

/** A running nginx pod on the default network; returns its name and pause id. */
async function nginxPod(flags: string[] = [], extra: string[] = []): Promise<{ name: string; pauseId: string }> {
  const name = uniqueName('pct-rel');
  await podctlOk([...flags, 'run', '--name', name, '--image', 'nginx', '--wait', ...extra]);
  const pauseId = await pauseIdOf(name);
  assert.ok(pauseId, 'the pod has a pause container');
  return { name, pauseId };
}

/** rm -f must succeed and leave nothing of the pod (`ips`: the addresses it had). */
async function removeAndCheck(name: string, pauseId: string, ips: string[], flags: string[] = []): Promise<void> {
  const r = await podctl([...flags, 'rm', '-f', name]);
  assert.equal(r.exitCode, 0, `podctl rm -f: ${r.stderr}`);
  await assertPodGone(name, [pauseId], ips);
}

const ipsOf = async (name: string): Promise<string[]> => (await inspectPod(name)).ips;

/** The network namespace inode of a path (a pin, or /proc/<pid>/ns/net). */
const netnsInode = async (path: string): Promise<number> => (await stat(path)).ino;

const PS_RESTART_RESOLUTION_MS = 6000;

/** Restart the pause behind podctl's back, check it is reported degraded, then `repair` must rewire it. */
async function restartedPause(repair: (name: string) => Promise<unknown>): Promise<void> {
  const started = Date.now();
  const { name, pauseId } = await nginxPod([], ['--wait-http', ':80/']);
  try {
    // `ps` spots a restart from Docker's "Up N seconds" against the time podctl started the
    // pause (no extra API call per pod), so it needs the pod a few seconds older than the
    // restarted pause; `inspect` compares namespace inodes and needs no wait.
    await new Promise((r) => setTimeout(r, Math.max(0, started + PS_RESTART_RESOLUTION_MS - Date.now())));
    await sh('docker', ['restart', '-t', '0', pauseId]);
    // The pause now lives in a fresh namespace that no plugin wired: the pod is not running.
    assert.equal((await inspectPod(name)).state, 'degraded', 'inspect after docker restart of the pause');
    assert.equal(await psState(name), 'degraded', 'ps after docker restart of the pause');
    await repair(name);
    const pod = await inspectPod(name);
    assert.equal(pod.state, 'running');
    assert.ok(pod.pause.pid, 'the pause runs');
    assert.equal(await netnsInode(pod.netns), await netnsInode(`/proc/${pod.pause.pid}/ns/net`), 'the pin is the namespace of the running pause');
    const page = await eventually(() => fetchText(`http://${pod.ips[0]}/`));
    assert.match(page.body, /Welcome to nginx!/);
    await removeAndCheck(name, pauseId, pod.ips);
  } finally {
    await removeForce([name]);
  }
}

interface NetworkFault {
  /** Before the pod runs (e.g. install a fake plugin). */
  setup?: (cni: PrivateCni) => Promise<void>;
  /** Between ADD and DEL. */
  fault: (cni: PrivateCni) => Promise<void>;
  runExtra?: string[];
}

/** A pod on a private CNI setup; `fault` runs between ADD and DEL; then rm -f must leave nothing. */
async function privateNetworkFault(options: PrivateCniOptions, { setup, fault, runExtra = [] }: NetworkFault): Promise<void> {
  const cni = await PrivateCni.create(options);
  const name = uniqueName('pct-rel');
  try {
    await setup?.(cni);
    await podctlOk([...cni.flags, 'run', '--name', name, '--image', 'nginx', '--wait', ...runExtra]);
    const pauseId = (await pauseIdOf(name))!;
    const pod = await inspectPod(name);
    assert.match(pod.ips[0] ?? '', new RegExp(`^${options.subnet.split('.').slice(0, 3).join('\\.')}\\.`), 'the pod has an address of the private network');
    await fault(cni);
    await removeAndCheck(name, pauseId, pod.ips, cni.flags);
  } finally {
    await removeForce([name], cni.flags);
    await cni.cleanup();
  }
}

/** A fake plugin (node, no shell) that passes prevResult through, and never answers `hangOn`. */
function fakePlugin(hangOn: 'ADD' | 'DEL' | 'none'): string {
  return `#!${process.execPath}
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', () => {
  const command = process.env.CNI_COMMAND;
  if (command === ${JSON.stringify(hangOn)}) return setInterval(() => undefined, 1 << 30);
  const conf = input ? JSON.parse(input) : {};
  if (command === 'ADD') process.stdout.write(JSON.stringify(conf.prevResult ?? { cniVersion: conf.cniVersion }));
  if (command === 'VERSION') process.stdout.write(JSON.stringify({ cniVersion: '1.0.0', supportedVersions: ['0.3.1', '0.4.0', '1.0.0'] }));
});
`;
}

const net = (n: number, extraPlugins?: PrivateCniOptions['extraPlugins']): PrivateCniOptions => ({
  network: `pct-rel-net${n}`,
  bridge: `pct-relbr${n}`,
  subnet: `10.234.${n}.0/24`,
  ...(extraPlugins ? { extraPlugins } : {}),
});

const HANG_TIMEOUT_S = 3;
let hostPort = 18_600 + (process.pid % 100) * 4;

test('out-of-band faults: rm -f leaves nothing after each', { concurrency: 6 }, async (t) => {
  const leaks = await LeakChecker.start();
  const cases: Array<[string, () => Promise<void>]> = [
    [
      'a plugin that hangs on ADD: run fails after the plugin timeout and rolls back',
      async () => {
        const options = { ...net(4, [{ type: 'pct-hang' }]), pluginTimeoutSeconds: HANG_TIMEOUT_S };
        const cni = await PrivateCni.create(options);
        const name = uniqueName('pct-rel');
        try {
          await cni.writePlugin('pct-hang', fakePlugin('ADD'));
          const started = Date.now();
          const r = await podctl([...cni.flags, 'run', '--name', name, '--image', 'nginx'], { timeoutMs: 180_000 });
          assertOneErrorLine(r, 1, /pct-hang.*(no answer|timed? ?out)/i);
          const took = Date.now() - started;
          t.diagnostic(`run with a hanging plugin failed after ${took} ms`);
          assert.ok(took >= HANG_TIMEOUT_S * 1000, 'the plugin had its full deadline');
          await assertPodGone(name);
        } finally {
          await removeForce([name], cni.flags);
          await cni.cleanup();
        }
      },
    ],
    [
      'a plugin that hangs on DEL: rm -f gives up on it and still cleans up',
      () =>
        privateNetworkFault({ ...net(5, [{ type: 'pct-hang' }]), pluginTimeoutSeconds: HANG_TIMEOUT_S }, {
          setup: (cni) => cni.writePlugin('pct-hang', fakePlugin('none')),
          fault: (cni) => cni.writePlugin('pct-hang', fakePlugin('DEL')),
        }),
    ],
    [
      'pause killed (docker kill): ps says degraded, rm -f leaves nothing',
      async () => {
        const { name, pauseId } = await nginxPod();
        try {
          const ips = await ipsOf(name);
          await sh('docker', ['kill', pauseId]);
          assert.equal((await inspectPod(name)).state, 'degraded');
          assert.equal(await psState(name), 'degraded');
          await removeAndCheck(name, pauseId, ips);
        } finally {
          await removeForce([name]);
        }
      },
    ],
    [
      'pause removed (docker rm -f): ps does not say running, rm -f leaves nothing',
      async () => {
        const { name, pauseId } = await nginxPod();
        try {
          const ips = await ipsOf(name);
          await sh('docker', ['rm', '-f', pauseId]);
          assert.notEqual((await inspectPod(name)).state, 'running');
          assert.notEqual(await psState(name), 'running');
          await removeAndCheck(name, pauseId, ips);
        } finally {
          await removeForce([name]);
        }
      },
    ],
    ['pause restarted (docker restart): degraded until podctl start rewires it', () => restartedPause((name) => podctlOk(['start', name, '--wait-http', ':80/']))],
    ['pause restarted (docker restart): degraded until podctl restart rewires it', () => restartedPause((name) => podctlOk(['restart', name, '--wait-http', ':80/']))],
    [
      '/var/run/netns/<pod> deleted (ip netns delete): rm -f leaves nothing',
      async () => {
        const { name, pauseId } = await nginxPod([], ['-p', `127.0.0.1:${++hostPort}:80`]);
        try {
          const ips = await ipsOf(name);
          await sh('ip', ['netns', 'delete', name]);
          await removeAndCheck(name, pauseId, ips);
        } finally {
          await removeForce([name]);
        }
      },
    ],
    [
      'network config edited between ADD and DEL (other subnet, other bridge)',
      () => privateNetworkFault(net(0), { fault: (cni) => cni.writeConfig(cni.config('10.234.100.0/24', 'pct-relbr0x')) }),
    ],
    ['network config deleted between ADD and DEL', () => privateNetworkFault(net(1), { fault: (cni) => rm(cni.confFile) })],
    ['plugin binary removed before DEL: bridge', () => privateNetworkFault(net(2), { fault: (cni) => cni.removePlugin('bridge') })],
    [
      'plugin binary removed before DEL: portmap (with a host port)',
      () =>
        privateNetworkFault(net(3, [{ type: 'portmap', capabilities: { portMappings: true } }]), {
          fault: (cni) => cni.removePlugin('portmap'),
          runExtra: ['-p', `127.0.0.1:${++hostPort}:80`],
        }),
    ],
  ];
  await Promise.all(cases.map(([name, fn]) => t.test(name, fn)));
  await leaks.assertClean();
});
