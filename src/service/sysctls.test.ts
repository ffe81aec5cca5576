import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../util/logger.js';
import type { ServiceHost } from './host.js';
import { LOCALNET_GUARD } from './rules.js';
import { ServiceManager } from './services.js';
import { BRIDGE_NF_CALL_IPTABLES, routeLocalnetKey, SysctlLedger } from './sysctls.js';
import type { ServiceSpec } from './types.js';

// The sysctl ledger and the order of a sync, against a fake host that keeps sysctls in a Map,
// the table as the last nft script, and dies (every later call fails, as after SIGKILL) at a
// chosen host operation. After every operation it checks the one rule that must never break:
// route_localnet on means the guard is in the table.
const LOCALNET = routeLocalnetKey('podctl0');
const FIRST = { [BRIDGE_NF_CALL_IPTABLES]: '0', [LOCALNET]: '0' };

class FakeHost implements ServiceHost {
  sysctl = new Map(Object.entries(FIRST));
  table = '';
  ops = 0;
  dieAt = Infinity;
  broken: string[] = [];
  private step(what: string): void {
    if (++this.ops >= this.dieAt) throw new Error(`killed before ${what}`);
  }
  private check(): void {
    if (this.sysctl.get(LOCALNET) === '1' && !this.table.includes(LOCALNET_GUARD)) this.broken.push(`route_localnet on without the guard (op ${this.ops})`);
  }
  exec: ServiceHost['exec'] = async (file, args, options) => {
    const input = options?.input;
    if (file === 'nft' && args[0] === '-f') {
      this.step('nft');
      this.table = input ?? '';
      this.check();
    }
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  sysctls: ServiceHost['sysctls'] = {
    read: async (key) => this.sysctl.get(key),
    write: async (key, value) => {
      this.step(`write ${key}`);
      if (!this.sysctl.has(key)) return false;
      this.sysctl.set(key, value);
      this.check();
      return true;
    },
  };
  loadBridgeNetfilter = async () => undefined;
}

let dir: string;
const manager = (host: ServiceHost) =>
  new ServiceManager({
    stateDir: join(dir, 'state'),
    runDir: join(dir, 'run'),
    logger: silentLogger,
    host,
    pods: { pods: async () => [{ name: 'a', namespace: 'default', labels: { app: 'web' }, ips: ['10.99.0.5'], ready: true, ports: [] }], network: async () => ({ bridge: { name: 'podctl0', ip: '10.99.0.1' }, subnets: ['10.99.0.0/16'] }) },
  });
const nodePort: ServiceSpec = { name: 'web', namespace: 'default', labels: {}, selector: { app: 'web' }, type: 'NodePort', ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }] };

describe('sysctls of Services', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pct-sysctl-unit-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('turns route_localnet on after the guard and off before it, and gives back first values that were not podctl\'s', async () => {
    const host = new FakeHost();
    const services = manager(host);
    await services.apply(nodePort);
    assert.equal(host.sysctl.get(LOCALNET), '1');
    assert.equal(host.sysctl.get(BRIDGE_NF_CALL_IPTABLES), '1');
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'run', 'services', 'sysctls.json'), 'utf8')), FIRST, 'the first values, recorded');
    await services.apply({ ...nodePort, name: 'db' });
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'run', 'services', 'sysctls.json'), 'utf8')), FIRST, 'a second sync does not record podctl\'s own 1');
    await services.apply({ ...nodePort, type: 'ClusterIP' });
    await services.apply({ ...nodePort, name: 'db', type: 'ClusterIP' });
    assert.equal(host.sysctl.get(LOCALNET), '0', 'no NodePort left: route_localnet back');
    assert.doesNotMatch(host.table, /127\.0\.0\.0\/8/, 'and the guard gone after it');
    assert.equal(host.sysctl.get(BRIDGE_NF_CALL_IPTABLES), '1', 'still needed by the ClusterIP services');
    await services.remove(nodePort);
    await services.remove({ ...nodePort, name: 'db' });
    assert.deepEqual(Object.fromEntries(host.sysctl), FIRST);
    assert.deepEqual(host.broken, []);
  });

  it('survives a kill at every host operation of a NodePort\'s creation and removal: gc puts the first values back', async () => {
    const clean = new FakeHost();
    const probe = manager(clean);
    await probe.apply(nodePort);
    const creation = clean.ops;
    await probe.remove(nodePort);
    const removal = clean.ops - creation;
    assert.ok(creation >= 3 && removal >= 3, `${creation} operations to create, ${removal} to remove`);
    for (const [phase, count] of [['create', creation], ['remove', removal]] as const) {
      for (let at = 1; at <= count; at++) {
        await rm(dir, { recursive: true, force: true });
        const host = new FakeHost();
        if (phase === 'remove') await manager(host).apply(nodePort);
        host.dieAt = host.ops + at;
        await assert.rejects(phase === 'create' ? manager(host).apply(nodePort) : manager(host).remove(nodePort), /killed before/);
        // A new process: gc (a forced sync), then the service's removal.
        host.dieAt = Infinity;
        await manager(host).sync({ force: true });
        if (host.sysctl.get(LOCALNET) === '1') assert.ok(host.table.includes(LOCALNET_GUARD), `${phase}@${at}: on and guarded`);
        await manager(host).remove(nodePort);
        assert.deepEqual(Object.fromEntries(host.sysctl), FIRST, `${phase}@${at}: first values back`);
        assert.deepEqual(host.broken, [], `${phase}@${at}`);
      }
    }
  });

  it('gives back the route_localnet an older podctl switched on and recorded only in its applied file', async () => {
    const host = new FakeHost();
    host.sysctl.set(LOCALNET, '1');
    await mkdir(join(dir, 'run', 'services'), { recursive: true });
    await writeFile(join(dir, 'run', 'services', 'applied.json'), JSON.stringify({ hash: 'old', udp: [], localnet: { iface: 'podctl0', previous: '0' } }));
    await manager(host).sync({ force: true });
    assert.deepEqual(Object.fromEntries(host.sysctl), FIRST);
    assert.deepEqual(host.broken, []);
  });

  it('records an absent key only with the meaning given, forgets a key whose interface left, and leaves unheld keys alone', async () => {
    const values = new Map<string, string>([['a', '1']]);
    const io = { read: async (k: string) => values.get(k), write: async (k: string, v: string) => (values.has(k) ? (values.set(k, v), true) : false) };
    const path = join(dir, 'sysctls.json');
    const ledger = new SysctlLedger(path, io);
    await ledger.record([{ key: 'a' }, { key: 'gone' }, { key: 'module', absentAs: '0' }]);
    assert.deepEqual(await ledger.held(), { a: '1', module: '0' });
    await ledger.set('a', '0');
    await ledger.set('other', '1');
    assert.deepEqual(Object.fromEntries(values), { a: '0' }, 'an unheld key is never written');
    await ledger.record([{ key: 'a' }]);
    assert.equal((await ledger.held()).a, '1', 'the first value stays');
    values.delete('a');
    assert.deepEqual((await ledger.release(new Set())).sort(), ['a', 'module']);
    assert.deepEqual(await ledger.held(), {});
    await writeFile(path, '{}');
    assert.deepEqual(await ledger.release(new Set()), []);
  });
});
