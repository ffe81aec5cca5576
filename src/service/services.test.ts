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
import type { ServiceSpec } from './types.js';

// The ServiceManager against a recording fake host: real files in a temp dir, no root, no nft.
let dir: string;
let calls: Array<{ file: string; args: string[]; input?: string }>;
let nftFails: boolean;
let pods: ProxyPod[];

const host: ServiceHost = {
  exec: async (file, args, input) => {
    calls.push({ file, args, ...(input !== undefined ? { input } : {}) });
    const failed = file === 'nft' && args[0] === '-f' && nftFails;
    return { exitCode: failed ? 1 : 0, stdout: '', stderr: failed ? 'Error: Could not process rule: No such file or directory\n' : '' };
  },
  sysctls: { read: async () => '0', write: async () => true },
  loadBridgeNetfilter: async () => undefined,
};

const manager = () =>
  new ServiceManager({
    stateDir: join(dir, 'state'),
    runDir: join(dir, 'run'),
    logger: silentLogger,
    host,
    pods: { pods: async (leaving) => pods.map((p) => (leaving.some((l) => l.name === p.name) ? { ...p, ready: false } : p)), network: async () => ({ bridge: { name: 'podctl0', ip: '10.99.0.1' }, subnets: ['10.99.0.0/16'] }) },
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
});
