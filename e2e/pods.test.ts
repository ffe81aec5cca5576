import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker, exists } from './harness/leaks.js';
import { execa } from 'execa';
import { PODCTL, eventually, execInPod, fetchText, inspectPod, podctl, podctlOk, sh, uniqueName } from './harness/run.js';

// The pod lifecycle end to end: real dockerd, real CNI plugins (the shipped cni-conf/),
// real namespaces. Every test removes its pods and ends with the leak checker.
let leaks: LeakChecker;
const created: string[] = [];

beforeEach(async () => {
  leaks = await LeakChecker.start();
});

afterEach(async () => {
  if (created.length > 0) await podctl(['rm', '-f', ...created.splice(0)]);
  await leaks.assertClean();
});

function podName(): string {
  const name = uniqueName('pct-pod');
  created.push(name);
  return name;
}

describe('podctl run', () => {
  it('brings up an nginx pod that serves its welcome page on the pod IP', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'nginx', '--name', name, '--wait-http', ':80/']);
    const pod = await inspectPod(name);
    assert.equal(pod.state, 'running');
    assert.equal(pod.netns, `/var/run/netns/${name}`);
    assert.equal(pod.networks[0]?.ifname, 'eth0');
    assert.ok(pod.networks[0]?.result, 'inspect carries the CNI result');
    assert.ok(pod.pause.pid && pod.pause.pid > 0);
    assert.deepEqual(pod.containers.map((c) => [c.name, c.image, c.state]), [['nginx', 'nginx', 'running']]);
    const ip = pod.ips[0]!;
    assert.match(ip, /^10\.99\.\d+\.\d+$/);
    const page = await fetchText(`http://${ip}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Welcome to nginx!/);
    // The namespace is where `ip netns` finds it.
    const addr = await sh('ip', ['netns', 'exec', name, 'ip', '-br', 'addr', 'show', 'eth0']);
    assert.match(addr, new RegExp(`${ip.replace(/\./g, '\\.')}/16`));
    const ps = await podctlOk(['ps', '-o', 'json']);
    const row = (JSON.parse(ps.stdout) as Array<{ name: string; state: string; ready: number; total: number }>).find((p) => p.name === name);
    assert.deepEqual([row?.state, row?.ready, row?.total], ['running', 1, 1]);
  });

  it('shares one network stack: a busybox sidecar reaches nginx on 127.0.0.1', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'nginx', '--container', 'side=busybox', '--command', 'side=sleep 3600', '--name', name, '--wait-tcp', '80']);
    const fetched = await eventually(async () => {
      const r = await execInPod(name, ['wget', '-qO-', 'http://127.0.0.1/'], 'side');
      assert.equal(r.exitCode, 0, r.stderr);
      return r.stdout;
    });
    assert.match(fetched, /Welcome to nginx!/);
  });

  it('publishes a host port on 127.0.0.1 through portmap', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'nginx', '--name', name, '-p', '127.0.0.1:18089:80', '--wait-http', ':80/']);
    const page = await eventually(() => fetchText('http://127.0.0.1:18089/'));
    assert.match(page.body, /Welcome to nginx!/);
  });

  it('gives every container the pod hostname, DNS servers and search domains', async () => {
    const name = podName();
    await podctlOk([
      'run', '--container', 'a=busybox', '--command', 'a=sleep 3600', '--container', 'b=busybox', '--command', 'b=sleep 3600',
      '--name', name, '--hostname', 'shop-1', '--dns', '10.99.0.53', '--dns-search', 'svc.test', '--wait',
    ]);
    const ip = (await inspectPod(name)).ips[0]!;
    for (const c of ['a', 'b']) {
      const r = await execInPod(name, ['sh', '-c', 'hostname; cat /etc/resolv.conf; cat /etc/hosts'], c);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /^shop-1$/m);
      assert.match(r.stdout, /^nameserver 10\.99\.0\.53$/m);
      assert.match(r.stdout, /^search svc\.test$/m);
      assert.match(r.stdout, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+shop-1$`, 'm'));
    }
  });

  it('returns the exit status of podctl exec and prints container logs', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'busybox', '--name', name, '--wait', '--', 'sh', '-c', 'echo hello-from-pod; echo oops >&2; sleep 3600']);
    assert.equal((await execInPod(name, ['sh', '-c', 'exit 7'])).exitCode, 7);
    assert.equal((await execInPod(name, ['true'])).exitCode, 0);
    const logs = await eventually(async () => {
      const r = await podctlOk(['logs', name]);
      assert.match(r.stdout, /hello-from-pod/);
      return r;
    });
    assert.match(logs.stderr, /oops/);
    const missing = await podctl(['exec', name, '-c', 'nope', '--', 'true']);
    assert.notEqual(missing.exitCode, 0);
    assert.match(missing.stderr, /has no container nope/);
  });

  it('prefixes each line with its container when a pod has several', async () => {
    const name = podName();
    await podctlOk(['run', '--container', 'one=busybox', '--command', 'one=["sh","-c","echo from-one; sleep 3600"]',
      '--container', 'two=busybox', '--command', 'two=["sh","-c","echo from-two; sleep 3600"]', '--name', name, '--wait']);
    const r = await eventually(async () => {
      const out = await podctlOk(['logs', name]);
      assert.match(out.stdout, /^\[one\] from-one$/m);
      assert.match(out.stdout, /^\[two\] from-two$/m);
      return out;
    });
    assert.ok(r);
  });

  it('ends quietly, status 141 like docker and kubectl, when the reader of its output goes away', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'busybox', '--name', name, '--wait', '-q', '--', 'sh', '-c', 'while true; do echo tick; sleep 0.1; done']);
    // Through a shell pipe, as a user types it; bash for PIPESTATUS: podctl's stderr, then its status.
    const piped = async (args: string[], head: string) =>
      (await execa('bash', ['-c', `"$0" "$@" | head ${head} >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`, PODCTL, ...args], { reject: false, timeout: 30_000 })).stderr;
    // head -0 has gone before podctl's first write; logs -f would print forever.
    for (const [args, head] of [[['ps', '-a'], '-0'], [['get', 'pods', '-o', 'yaml'], '-0'], [['logs', '-f', name], '-1'], [['--help'], '-0']] as const) {
      assert.equal(await piped([...args], head), 'status 141', `podctl ${args.join(' ')} | head ${head}`);
    }
  });
});

describe('stop, start, rm', () => {
  it('stops a pod (network released) and starts it again reachable', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'nginx', '--name', name, '--wait-http', ':80/']);
    await podctlOk(['stop', name]);
    const stopped = await inspectPod(name);
    assert.equal(stopped.state, 'stopped');
    assert.deepEqual(stopped.ips, []);
    assert.equal(await exists(`/var/run/netns/${name}`), false, 'the netns pin goes with stop');
    await podctlOk(['start', name, '--wait-http', ':80/']);
    const again = await inspectPod(name);
    assert.equal(again.state, 'running');
    assert.match((await fetchText(`http://${again.ips[0]}/`)).body, /Welcome to nginx!/);
  });

  it('removes a pod whose pause container was killed from outside, leaving nothing', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'nginx', '--name', name, '--wait']);
    const pod = await inspectPod(name);
    await sh('docker', ['kill', pod.pause.id]);
    const after = await inspectPod(name);
    assert.equal(after.state, 'degraded');
    await podctlOk(['rm', '-f', name]);
    assert.equal(await exists(`/var/run/netns/${name}`), false);
  });

  it('refuses to rm a running pod without -f, and rm -f of a missing pod is quiet', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'nginx', '--name', name]);
    const r = await podctl(['rm', name]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /is running/);
    await podctlOk(['rm', '-f', name]);
    assert.equal((await podctl(['rm', '-f', name])).exitCode, 0);
    const again = await podctl(['rm', name]);
    assert.equal(again.exitCode, 1);
    assert.match(again.stderr, /not found/);
  });
});

describe('failures roll back completely', () => {
  it('fails clearly for an image that cannot be pulled and leaves nothing', async () => {
    const name = podName();
    const r = await podctl(['run', '--image', '127.0.0.1:9/nosuch:tag', '--name', name]);
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /127\.0\.0\.1:9\/nosuch:tag.*cannot be pulled/);
  });

  it('unwinds every step when a plugin in the chain fails (CNI DEL included)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pct-rollback-'));
    try {
      await writeFile(join(dir, '10-broken.conflist'), JSON.stringify({
        cniVersion: '1.0.0',
        name: 'pct-broken',
        plugins: [
          { type: 'bridge', bridge: 'pct-rb0', isGateway: true, ipMasq: true,
            ipam: { type: 'host-local', dataDir: '/var/lib/podctl/cni/networks', ranges: [[{ subnet: '10.232.0.0/24' }]] } },
          { type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.no_such_knob': '1' } },
        ],
      }));
      const name = podName();
      const r = await podctl(['--cni-conf-dir', dir, 'run', '--image', 'nginx', '--name', name]);
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /tuning/);
      assert.equal((await podctl(['inspect', name])).exitCode, 1, 'no pod is left');
    } finally {
      await rm(dir, { recursive: true, force: true });
      await sh('ip', ['link', 'del', 'pct-rb0']).catch(() => undefined);
    }
  });

  it('refuses a second pod with the same name and changes nothing', async () => {
    const name = podName();
    const [a, b] = await Promise.all([
      podctl(['run', '--image', 'nginx', '--name', name]),
      podctl(['run', '--image', 'nginx', '--name', name]),
    ]);
    const codes = [a.exitCode, b.exitCode].sort();
    assert.deepEqual(codes, [0, 1]);
    const loser = a.exitCode === 1 ? a : b;
    assert.match(loser.stderr, new RegExp(`pod ${name} already exists`));
    assert.equal((await inspectPod(name)).state, 'running');
  });
});

describe('scale and recovery', () => {
  it('creates 20 pods in parallel with 20 distinct IPs that all answer', async () => {
    const names = Array.from({ length: 20 }, () => podName());
    const results = await Promise.all(names.map((n) => podctl(['run', '--image', 'nginx', '--name', n, '-q'])));
    for (const r of results) assert.equal(r.exitCode, 0, r.stderr);
    const ps = JSON.parse((await podctlOk(['ps', '-o', 'json'])).stdout) as Array<{ name: string; ips: string[] }>;
    const ips = names.map((n) => ps.find((p) => p.name === n)?.ips[0]);
    assert.equal(new Set(ips).size, 20, `distinct IPs: ${ips.join(' ')}`);
    await Promise.all(ips.map((ip) => eventually(async () => assert.match((await fetchText(`http://${ip}/`)).body, /Welcome to nginx!/))));
    const removed = await Promise.all(names.map((n) => podctl(['rm', '-f', n])));
    for (const r of removed) assert.equal(r.exitCode, 0, r.stderr);
  });

  it('gc removes the pod of a podctl run killed mid-way', async () => {
    const name = podName();
    const { execa } = await import('execa');
    const { PODCTL } = await import('./harness/run.js');
    const child = execa(PODCTL, ['run', '--image', 'nginx', '--name', name], {
      env: { PODCTL_FAULT_STEP: 'start-containers', PODCTL_FAULT_MODE: 'hang' },
      reject: false,
    });
    await new Promise<void>((resolve) => child.stderr?.on('data', (d: Buffer) => String(d).includes('hanging') && resolve()));
    child.kill('SIGKILL');
    await child;
    assert.equal(await exists(`/var/run/netns/${name}`), true, 'the killed run left its pin');
    const gc = await podctlOk(['gc', '-o', 'json']);
    const actions = (JSON.parse(gc.stdout) as { actions: Array<{ target: string; reason: string; error?: string }> }).actions;
    const mine = actions.find((a) => a.target === name);
    assert.ok(mine, gc.stdout);
    assert.equal(mine.error, undefined);
    assert.match(mine.reason, /interrupted/);
  });
});
