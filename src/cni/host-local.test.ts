import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetworkConfig } from './conf/parse-network.js';
import { allocationsOf, hostLocalDirs, readAllocations, releaseAllocations } from './host-local.js';

test('hostLocalDirs: each host-local dataDir (or the default) per network name; other IPAM plugins are not host-local', () => {
  const net = parseNetworkConfig(JSON.stringify({ cniVersion: '1.0.0', name: 'n1', plugins: [
    { type: 'bridge', ipam: { type: 'host-local', subnet: '10.0.0.0/24' } },
    { type: 'ptp', ipam: { type: 'host-local', dataDir: '/tmp/x', subnet: '10.1.0.0/24' } },
    { type: 'macvlan', ipam: { type: 'other', dataDir: '/tmp/y', subnet: '10.2.0.0/24' } },
    { type: 'ipvlan', ipam: { type: 'host-local', subnet: '10.3.0.0/24' } },
  ] }));
  assert.deepEqual(hostLocalDirs(net), ['/var/lib/cni/networks/n1', '/tmp/x/n1']);
});

test('allocations: by container and ifname, old id-only files too, host-local\'s own files skipped', async () => {
  const root = await mkdtemp(join(tmpdir(), 'pct-hostlocal-'));
  try {
    const dir = join(root, 'n1');
    await mkdir(dir);
    await writeFile(join(dir, '10.0.0.2'), 'pod-1\r\neth0');
    await writeFile(join(dir, '10.0.0.3'), 'pod-10\r\neth0');
    await writeFile(join(dir, '10.0.0.4'), 'pod-1\r\neth1');
    await writeFile(join(dir, '10.0.0.5'), 'pod-1');
    await writeFile(join(dir, 'last_reserved_ip.0'), 'pod-1');
    await writeFile(join(dir, 'lock'), '');
    assert.equal((await readAllocations([dir, dir, join(root, 'absent')])).length, 4);
    assert.deepEqual((await allocationsOf([dir], 'pod-1')).sort(), ['10.0.0.2', '10.0.0.4', '10.0.0.5'].map((f) => join(dir, f)));
    assert.deepEqual((await allocationsOf([dir], 'pod-1', 'eth0')).sort(), ['10.0.0.2', '10.0.0.5'].map((f) => join(dir, f)));

    const net = parseNetworkConfig(JSON.stringify({ cniVersion: '1.0.0', name: 'n1', plugins: [{ type: 'bridge', ipam: { type: 'host-local', dataDir: root, subnet: '10.0.0.0/24' } }] }));
    assert.deepEqual((await releaseAllocations(net, 'pod-1', 'eth1')).sort(), ['10.0.0.4', '10.0.0.5'].map((f) => join(dir, f)));
    assert.deepEqual((await readdir(dir)).sort(), ['10.0.0.2', '10.0.0.3', 'last_reserved_ip.0', 'lock']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
