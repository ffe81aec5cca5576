import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker, exists } from './harness/leaks.js';
import { fetchText, podctl, podctlOk, uniqueName } from './harness/run.js';
import { startHung } from './reliability-support.js';

// The sysctls a NodePort needs (route_localnet on podctl0, br_netfilter's switch), and the
// route_localnet the portmap plugin switches on for a pod's host ports, with podctl
// SIGKILLed before each step of a NodePort's creation and of its removal (PODCTL_FAULT_STEP,
// hang mode), then `podctl gc`: route_localnet is never on without the guard in podctl's table,
// and once the service is gone every sysctl is back to its first value (the leak checker
// compares them too).
const LOCALNET = '/proc/sys/net/ipv4/conf/podctl0/route_localnet';
const BRIDGE_NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';
const LEDGER = '/run/podctl/services/sysctls.json';
const CREATE_STEPS = ['services-release-sysctls', 'services-record-sysctls', 'services-bridge-netfilter', 'services-rules', 'services-route-localnet'];
const REMOVE_STEPS = ['services-release-sysctls', 'services-record-sysctls', 'services-rules'];
const pod = uniqueName('sysctl-pod');
let work: string;
let manifest: string;
let leaks: LeakChecker;
let found: string | undefined;
let first: Record<string, string>;

const read = (path: string) => readFile(path, 'utf8').then((v) => v.trim());
const values = async () => ({ localnet: await read(LOCALNET), bridgeNf: await read(BRIDGE_NF) });

/** route_localnet on podctl0 means the guard is in podctl's table. */
async function assertGuarded(when: string): Promise<void> {
  if ((await read(LOCALNET)) !== '1') return;
  const chain = await execa('nft', ['list', 'chain', 'ip', 'podctl', 'filter-input'], { reject: false });
  assert.match(String(chain.stdout), /ip daddr 127\.0\.0\.0\/8 ct state new ct status ! dnat drop/, `${when}: route_localnet is on without the guard`);
}

before(async () => {
  leaks = await LeakChecker.start();
  // A pod, so that podctl0 (whose route_localnet a NodePort needs) exists. Its DNS is set
  // (--dns: dnsPolicy None), so no cluster DNS server keeps podctl's table, and with it
  // br_netfilter's switch, once the service is gone.
  await podctlOk(['run', '--image', 'busybox', '--name', pod, '--dns', '127.0.0.1', '--stop-timeout', '1', '--', 'sleep', '3600']);
  // A host where an older podctl (or the portmap plugin, run by another runtime) left
  // route_localnet on: the test starts from 0 and puts back what it found.
  found = await read(LOCALNET);
  if (found !== '0') await writeFile(LOCALNET, '0\n');
  first = await values();
  work = await mkdtemp(join(tmpdir(), 'pct-sysctl-'));
  manifest = join(work, 'np.yaml');
  await writeFile(manifest, `apiVersion: v1
kind: Service
metadata: { name: sysctl-np }
spec:
  type: NodePort
  selector: { app: sysctl-nobody }
  ports: [{ port: 80 }]
`);
});

after(async () => {
  await podctl(['delete', '-f', manifest, '--ignore-not-found']);
  await podctl(['rm', '-f', pod]);
  await rm(work, { recursive: true, force: true });
  if (found !== undefined && found !== '0') await writeFile(LOCALNET, `${found}\n`).catch(() => undefined);
  await leaks.assertClean();
});

describe('sysctls under SIGKILL', () => {
  it('turns route_localnet on with its guard for a NodePort, and gives back the first values with the last one', async () => {
    await podctlOk(['apply', '-f', manifest]);
    assert.equal(await read(LOCALNET), '1');
    await assertGuarded('after apply');
    assert.deepEqual(JSON.parse(await readFile(LEDGER, 'utf8')), { 'net/bridge/bridge-nf-call-iptables': first.bridgeNf, 'net/ipv4/conf/podctl0/route_localnet': first.localnet });
    await podctlOk(['delete', '-f', manifest]);
    assert.deepEqual(await values(), first);
    assert.equal(await exists(LEDGER), false);
  });

  it('a pod publishing a port: the portmap plugin\'s route_localnet is recorded and guarded while the pod runs, and given back when it goes', async () => {
    const web = uniqueName('sysctl-hostport');
    try {
      await podctlOk(['run', '--image', 'nginx', '--name', web, '-p', '127.0.0.1:18091:80', '--dns', '127.0.0.1', '--stop-timeout', '1', '--wait-http', ':80/']);
      assert.equal(await read(LOCALNET), '1', 'portmap (snat) switched it on');
      await assertGuarded('with a published port');
      assert.deepEqual(JSON.parse(await readFile(LEDGER, 'utf8')), { 'net/ipv4/conf/podctl0/route_localnet': first.localnet }, 'recorded before the plugin ran; br_netfilter left alone');
      assert.match((await fetchText('http://127.0.0.1:18091/')).body, /Welcome to nginx!/, '127.0.0.1 reaches the host port');
    } finally {
      await podctl(['rm', '-f', web]);
    }
    assert.deepEqual(await values(), first);
    assert.equal(await exists(LEDGER), false);
    assert.notEqual((await execa('nft', ['list', 'table', 'ip', 'podctl'], { reject: false })).exitCode, 0, 'no table once nothing needs the guard');
  });

  for (const step of CREATE_STEPS) {
    it(`creation killed before ${step}, then gc`, async () => {
      const hung = await startHung(['apply', '-f', manifest], step);
      await assertGuarded('while hung');
      await hung.kill();
      await assertGuarded('after the kill');
      await podctlOk(['gc']);
      await assertGuarded('after gc');
      assert.equal(await read(LOCALNET), '1', 'the service exists: gc finished what apply began');
      await podctlOk(['delete', '-f', manifest]);
      assert.deepEqual(await values(), first);
      assert.equal(await exists(LEDGER), false);
    });
  }

  for (const step of REMOVE_STEPS) {
    it(`removal killed before ${step}, then gc`, async () => {
      await podctlOk(['apply', '-f', manifest]);
      const hung = await startHung(['delete', '-f', manifest], step);
      await hung.kill();
      await assertGuarded('after the kill');
      await podctlOk(['gc']);
      await assertGuarded('after gc');
      assert.deepEqual(await values(), first);
      assert.equal(await exists(LEDGER), false);
    });
  }
});
