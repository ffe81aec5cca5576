import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { FAKE_UPSTREAM, startFakeUpstream } from './harness/fake-upstream.js';
import { PODCTL, execInPod, podctl, uniqueName } from './harness/run.js';

// A host whose /etc/resolv.conf names only systemd-resolved's stub (127.0.0.53), made for
// podctl alone: it runs in a private mount namespace where /etc/resolv.conf says so and
// /run/systemd/resolve/resolv.conf (a tmpfs over /run/systemd) lists the servers resolved
// would use, here the test's fake upstream. The cluster DNS it starts must forward there, and
// a dnsPolicy: Default pod must get that server, never 127.0.0.53 (which means nothing in a pod).
const tag = `r${process.pid.toString(36)}`;
const client = uniqueName('dnsr-cli');
const plain = uniqueName('dnsr-def');
let work: string;
let leaks: LeakChecker;
let upstream: { stop: () => Promise<void> } | undefined;

const SETUP = 'stub=$1 resolved=$2; shift 2; mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/resolve && cp "$resolved" /run/systemd/resolve/resolv.conf && mount --bind "$stub" /etc/resolv.conf && exec "$@"';

/** podctl on the resolved host; the DNS server it starts lives in the same mount namespace. */
async function onResolvedHost(args: string[]): Promise<string> {
  const env = { ...process.env };
  delete env.PODCTL_DNS_UPSTREAM;
  const r = await execa('unshare', ['-m', '--propagation', 'private', 'sh', '-c', SETUP, 'sh', join(work, 'stub.conf'), join(work, 'resolved.conf'), PODCTL, ...args], { env, extendEnv: false, reject: false });
  if (r.exitCode !== 0) throw new Error(`podctl ${args.join(' ')} exited ${r.exitCode}: ${String(r.stderr).trim()}`);
  return String(r.stdout);
}

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-dnsr-'));
  await writeFile(join(work, 'stub.conf'), 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n');
  await writeFile(join(work, 'resolved.conf'), `nameserver ${FAKE_UPSTREAM}\n`);
  upstream = await startFakeUpstream(tag);
});

after(async () => {
  await podctl(['rm', '-f', client, plain]);
  await upstream?.stop();
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

it("forwards to the servers systemd-resolved uses, not its stub, and gives Default pods those servers", async () => {
  await onResolvedHost(['run', '--image', 'busybox', '--name', client, '--stop-timeout', '1', '--', 'sleep', '3600']);
  const r = await execInPod(client, ['nslookup', 'example.test']);
  assert.match(r.stdout, /Address: 192\.0\.2\.7/, r.stdout + r.stderr);

  await writeFile(join(work, 'default.yaml'), `apiVersion: v1
kind: Pod
metadata: { name: ${plain} }
spec:
  dnsPolicy: Default
  terminationGracePeriodSeconds: 1
  containers: [{ name: main, image: busybox, command: [sleep, '3600'] }]
`);
  await onResolvedHost(['apply', '-f', join(work, 'default.yaml')]);
  const resolv = (await execInPod(plain, ['cat', '/etc/resolv.conf'])).stdout;
  assert.match(resolv, new RegExp(`^nameserver ${FAKE_UPSTREAM.replace(/\./g, '\\.')}$`, 'm'));
  assert.doesNotMatch(resolv, /127\.0\.0\.53|svc\.cluster\.local/);
});
