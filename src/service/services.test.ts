import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../util/logger.js';
import type { ServiceHost } from './host.js';
import type { ProxyPod } from './proxy.js';
import { DELETE_SCRIPT } from './rules.js';
import { ServiceManager } from './services.js';
import { ServiceStore } from './store.js';
import type { ServiceSpec } from './types.js';
import type { DnsProcessConfig, DnsRunner } from '../dns/process.js';

// The ServiceManager against a recording fake host: real files in a temp dir, no root, no nft.
let dir: string;
let calls: Array<{ file: string; args: string[]; input?: string }>;
let nftFails: boolean;
let kernelTable: string | undefined;
/** Someone deletes the table the moment the next script has made it. */
let deleteAfterNextWrite = false;
let pods: ProxyPod[];
let sysctlValues: Map<string, string>;

const host: ServiceHost = {
  exec: async (file, args, options) => {
    const input = options?.input;
    calls.push({ file, args: [...args], ...(input !== undefined ? { input } : {}) });
    const failed = file === 'nft' && args[0] === '-f' && nftFails;
    // The kernel's table: what the last script made of it, listed back by `nft list table`.
    if (file === 'nft' && args[0] === '-f' && !failed) kernelTable = /table ip podctl \{[^]*\n\}\n/.exec(input ?? '')?.[0];
    if (file === 'nft' && args[0] === '-f' && deleteAfterNextWrite) [kernelTable, deleteAfterNextWrite] = [undefined, false];
    if (file === 'nft' && args[0] === 'list') return kernelTable === undefined ? { exitCode: 1, stdout: '', stderr: 'Error: No such file or directory\n' } : { exitCode: 0, stdout: kernelTable, stderr: '' };
    return { exitCode: failed ? 1 : 0, stdout: '', stderr: failed ? 'Error: Could not process rule: No such file or directory\n' : '' };
  },
  sysctls: { read: async (key) => sysctlValues.get(key) ?? '0', write: async (key, value) => {
    sysctlValues.set(key, value);
    return true;
  } },
  loadBridgeNetfilter: async () => undefined,
};

/** The DNS process as a recording fake: the last config it was given, or undefined once stopped. */
let dnsConfig: DnsProcessConfig | undefined;
const dns: DnsRunner = {
  ensure: async (config) => void (dnsConfig = config),
  stop: async () => void (dnsConfig = undefined),
  running: async () => dnsConfig,
};

const manager = () =>
  new ServiceManager({
    stateDir: join(dir, 'state'),
    runDir: join(dir, 'run'),
    logger: silentLogger,
    host,
    dns,
    pods: {
      pods: async (leaving) => pods.map((p) => (leaving.some((l) => l.name === p.name) ? { ...p, ready: false, clusterDns: false, routeLocalnet: undefined } : p)),
      network: async () => ({ name: 'podctl', bridge: { name: 'podctl0', ip: '10.99.0.1' }, subnets: ['10.99.0.0/16'] }),
    },
  });

const web: ServiceSpec = { name: 'web', namespace: 'default', labels: {}, selector: { app: 'web' }, type: 'ClusterIP', ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }] };
const nftScripts = () => calls.filter((c) => c.file === 'nft' && c.args[0] === '-f').map((c) => c.input!);

// Hooks inside the describe: `make unit` runs every test file in one process, where top-level
// hooks would run around every other file's tests too.
describe('ServiceManager', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pct-svc-unit-'));
    calls = [];
    nftFails = false;
    kernelTable = undefined;
    dnsConfig = undefined;
    sysctlValues = new Map();
    const hosts = join(dir, 'hosts-a');
    await writeFile(hosts, '127.0.0.1\tlocalhost\n10.99.0.5\ta\n');
    pods = [{ name: 'a', namespace: 'default', labels: { app: 'web' }, ips: ['10.99.0.5'], ready: true, ports: [], hostsFile: hosts }];
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores a service, writes its rules in one nft call and names it in the pods\' hosts files', async () => {
    const { service, outcome } = await manager().apply(web);
    assert.equal(outcome, 'created');
    assert.equal(service.service.clusterIP, '10.96.0.1');
    assert.deepEqual(service.ports[0]?.endpoints, [{ ip: '10.99.0.5', port: 8080, pod: 'a' }]);
    assert.equal(nftScripts().length, 1);
    assert.match(nftScripts()[0]!, /10\.96\.0\.1 \. tcp \. 80 : goto svc-default\/web\/tcp\/80/);
    assert.match(await readFile(join(dir, 'hosts-a'), 'utf8'), /^10\.96\.0\.1\tweb\.default\.svc\.cluster\.local web\.default\.svc web\.default web$/m);
    assert.equal((await manager().apply(web)).outcome, 'unchanged');
    assert.equal(nftScripts().length, 1, 'the same rules are not written again');
  });

  it('changes nothing when nft refuses the rules', async () => {
    await manager().apply(web);
    nftFails = true;
    await assert.rejects(manager().apply({ ...web, name: 'db' }), /nft refused podctl's Service rules, the previous rules stay/);
    assert.deepEqual((await manager().list()).map((s) => s.service.name), ['web']);
    assert.doesNotMatch(await readFile(join(dir, 'hosts-a'), 'utf8'), /\bdb\b/);
  });

  it('takes a leaving pod out before it stops, and deletes the table with the last service', async () => {
    const services = manager();
    await services.apply(web);
    await services.sync({ leaving: [{ name: 'a', namespace: 'default' }] });
    assert.match(nftScripts().at(-1)!, /10\.96\.0\.1 \. tcp \. 80 : goto reject-chain/);
    assert.equal(await services.remove(web), true);
    assert.equal(nftScripts().at(-1), DELETE_SCRIPT);
    assert.doesNotMatch(await readFile(join(dir, 'hosts-a'), 'utf8'), /web/);
    assert.deepEqual(await readdir(join(dir, 'run', 'services')), [], 'nothing recorded once no service is left');
    const before = calls.length;
    await services.sync();
    assert.equal(calls.length, before, 'with no service and none before, a sync runs nothing');
  });

  it('holds the route_localnet a pod\'s host ports need behind the guard, without br_netfilter, and gives it back when the pod leaves', async () => {
    const m = manager();
    const localnet = 'net/ipv4/conf/podctl0/route_localnet';
    pods[0] = { ...pods[0]!, routeLocalnet: 'podctl0' };
    await m.guardLocalnet();
    const guarded = nftScripts().at(-1)!;
    assert.match(guarded, /iifname != "lo" ip daddr 127\.0\.0\.0\/8 ct state new ct status ! dnat drop/);
    assert.equal(sysctlValues.get(localnet), '1');
    assert.equal(sysctlValues.get('net/bridge/bridge-nf-call-iptables'), undefined, 'the guard alone leaves bridged traffic alone');
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'run', 'services', 'sysctls.json'), 'utf8')), { [localnet]: '0' });

    await m.sync({ leaving: [{ name: 'a', namespace: 'default' }] });
    assert.equal(nftScripts().at(-1), DELETE_SCRIPT);
    assert.equal(sysctlValues.get(localnet), '0', 'the first value is back');
    assert.deepEqual(await readdir(join(dir, 'run', 'services')), [], 'and nothing is held');
  });

  it('records a bridge not made yet with the kernel\'s default for new interfaces', async () => {
    sysctlValues.set('net/ipv4/conf/default/route_localnet', '0');
    const io = host.sysctls;
    const absent = { ...host, sysctls: { read: async (key: string) => (key.includes('podctl0') && !sysctlValues.has(key) ? undefined : io.read(key)), write: io.write } };
    const m = new ServiceManager({ stateDir: join(dir, 'state'), runDir: join(dir, 'run'), logger: silentLogger, host: absent, dns, pods: { pods: async () => [{ ...pods[0]!, routeLocalnet: 'podctl0' }], network: async () => ({ name: 'podctl', bridge: { name: 'podctl0', ip: '10.99.0.1' }, subnets: ['10.99.0.0/16'] }) } });
    await m.guardLocalnet();
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'run', 'services', 'sysctls.json'), 'utf8')), { 'net/ipv4/conf/podctl0/route_localnet': '0' });
  });

  it('applies several services as one change: one nft transaction, and a refusal of any stores none', async () => {
    const services = manager();
    await services.apply(web);
    const db = { ...web, name: 'db' };
    const cache = { ...web, name: 'cache', clusterIP: '10.96.0.1' };
    await assert.rejects(services.applyAll([db, cache]), /10\.96\.0\.1 is taken by service default\/web/);
    assert.deepEqual((await services.list()).map((s) => s.service.name), ['web'], 'db was not stored either');
    const written = nftScripts().length;
    const results = await services.applyAll([db, web, { ...cache, clusterIP: undefined }]);
    assert.deepEqual(results.map((r) => [r.service.service.name, r.outcome]), [['db', 'created'], ['web', 'unchanged'], ['cache', 'created']]);
    assert.equal(new Set(results.map((r) => r.service.service.clusterIP)).size, 3, 'each its own ClusterIP');
    assert.equal(nftScripts().length, written + 1, 'one transaction for the whole apply');
  });

  it('refuses a service range that overlaps the pod network before storing anything', async () => {
    const services = new ServiceManager({ stateDir: join(dir, 'state'), runDir: join(dir, 'run'), logger: silentLogger, host, serviceCidr: '10.99.128.0/20', pods: { pods: async () => pods, network: async () => ({ subnets: ['10.99.0.0/16'] }) } });
    await assert.rejects(services.apply(web), /service range 10\.99\.128\.0\/20 overlaps 10\.99\.0\.0\/16/);
    assert.equal(nftScripts().length, 0);
  });

  it('runs the cluster DNS while a pod uses it: kube-dns listed, DNAT rules, zone with the services, no service names in that pod\'s hosts file', async () => {
    pods[0]!.clusterDns = true;
    const m = manager();
    await m.apply(web);
    assert.deepEqual(dnsConfig?.listen, ['10.99.0.1']);
    assert.equal(dnsConfig?.port, 53);
    assert.deepEqual(dnsConfig?.zone.services.map((s) => `${s.namespace}/${s.name} ${s.clusterIP}`).sort(), ['default/web 10.96.0.1', 'kube-system/kube-dns 10.96.0.10']);
    assert.match(nftScripts().at(-1)!, /ip daddr 10\.96\.0\.10 udp dport 53 dnat to 10\.99\.0\.1:53/);
    assert.doesNotMatch(await readFile(pods[0]!.hostsFile!, 'utf8'), /web/);
    assert.deepEqual((await m.list()).map((s) => `${s.service.namespace}/${s.service.name}`), ['kube-system/kube-dns', 'default/web']);

    // The pod leaves: the server stops and its rules go; a pod without the DNS keeps hosts-file names.
    await m.sync({ leaving: [{ name: 'a', namespace: 'default' }] });
    assert.equal(dnsConfig, undefined);
    assert.doesNotMatch(nftScripts().at(-1)!, /dport 53/);
    assert.deepEqual((await m.list()).map((s) => s.service.name), ['web']);
  });

  it('keeps the server on its pods\' bridge when a podctl with another default network syncs (another --cni-conf-dir)', async () => {
    pods[0]!.clusterDns = true;
    await manager().apply(web);
    assert.deepEqual(dnsConfig?.listen, ['10.99.0.1']);
    const elsewhere = new ServiceManager({
      stateDir: join(dir, 'state'), runDir: join(dir, 'run'), logger: silentLogger, host, dns,
      pods: { pods: async () => [...pods, { name: 'b', namespace: 'default', labels: {}, ips: ['10.234.3.2'], ready: true, ports: [], routeLocalnet: 'private0' }], network: async () => ({ name: 'private', bridge: { name: 'private0', ip: '10.234.3.1' }, subnets: ['10.234.3.0/24'] }) },
    });
    await elsewhere.guardLocalnet();
    assert.deepEqual(dnsConfig?.listen, ['10.99.0.1']);
    assert.match(nftScripts().at(-1)!, /dnat to 10\.99\.0\.1:53/);
  });

  it('asked for by a starting pod, starts the server and gives its address; not for another network', async () => {
    const m = manager();
    assert.equal(await m.clusterDns('macvlan-net'), undefined);
    assert.equal(dnsConfig, undefined);
    assert.equal(await m.clusterDns('podctl'), '10.96.0.10');
    assert.deepEqual((dnsConfig as DnsProcessConfig | undefined)?.listen, ['10.99.0.1']);
    // A bridge without a default route reaches only its own subnet: such a pod keeps hosts-file names.
    assert.ok(m.routesToClusterDns(['0.0.0.0/0']));
    assert.ok(m.routesToClusterDns(['10.96.0.0/12']));
    assert.ok(!m.routesToClusterDns([]));
    assert.ok(!m.routesToClusterDns(['192.168.0.0/16', '::/0']));
  });

  it('does not run the DNS while a service made before the reservation holds 10.96.0.10, and says what to do', async () => {
    await new ServiceStore(join(dir, 'state')).write({ version: 1, ...web, name: 'old', clusterIP: '10.96.0.10', uid: 'u', createdAt: '2026-01-01T00:00:00Z' });
    const warnings: string[] = [];
    const m = new ServiceManager({
      stateDir: join(dir, 'state'),
      runDir: join(dir, 'run'),
      logger: { ...silentLogger, warn: (message: string) => void warnings.push(message) },
      host,
      dns,
      pods: { pods: async () => pods, network: async () => ({ name: 'podctl', bridge: { name: 'podctl0', ip: '10.99.0.1' }, subnets: ['10.99.0.0/16'] }) },
    });
    assert.equal(await m.clusterDns('podctl'), undefined);
    assert.equal(dnsConfig, undefined);
    assert.match(warnings.join('\n'), /service default\/old holds its address 10\.96\.0\.10.*Delete that service and apply it again without clusterIP/);
  });

  it('rewrites the table when the kernel lost or changed it, and only then', async () => {
    const m = manager();
    await m.apply(web);
    assert.equal(await m.repairDrift(), false, 'the table is as written');
    assert.equal(nftScripts().length, 1);
    kernelTable = undefined;
    assert.equal(await m.repairDrift(), true, 'deleted behind podctl\'s back');
    assert.equal(nftScripts().length, 2);
    assert.match(kernelTable ?? '', /table ip podctl/);
    kernelTable = kernelTable!.replace('10.96.0.1', '10.96.0.9');
    assert.equal(await m.repairDrift(), true, 'edited');
    assert.equal(await m.repairDrift(), false);
    assert.equal(nftScripts().length, 3);
    // Deleted between the write and the sync's look at what the kernel holds.
    deleteAfterNextWrite = true;
    await m.apply({ ...web, name: 'other' });
    assert.equal(kernelTable, undefined);
    assert.equal(await m.repairDrift(), true, 'deleted right after the write');
    assert.match(kernelTable ?? '', /table ip podctl/);
  });
});
