import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetworkConfig } from '../../cni/index.js';
import { ipamProblems, pluginTypes } from './ipam-present.js';
import { ipFilesOf, ipamDirs, namesId } from './leak-check.js';

test('ipamProblems: interface plugins need ipam; an ipam needs a type; meta plugins need none', () => {
  assert.deepEqual(ipamProblems({ plugins: [{ type: 'bridge' }, { type: 'portmap' }] }), [
    'plugins[0] (bridge) has no ipam section: pods would get no IP address (add e.g. "ipam": {"type": "host-local", "subnet": ...})',
  ]);
  assert.deepEqual(ipamProblems({ type: 'ptp', ipam: {} }), ['plugin ptp: ipam has no type (e.g. "host-local")']);
  assert.deepEqual(ipamProblems({ plugins: [{ type: 'bridge', ipam: { type: 'host-local' } }, { type: 'firewall' }] }), []);
});

test('pluginTypes lists chain and ipam binaries once each', () => {
  assert.deepEqual(pluginTypes({ plugins: [{ type: 'bridge', ipam: { type: 'host-local' } }, { type: 'ptp', ipam: { type: 'host-local' } }] }), ['bridge', 'host-local', 'ptp']);
});

test('ipamDirs: dataDir or host-local default, per network name', () => {
  const net = parseNetworkConfig(JSON.stringify({ cniVersion: '1.0.0', name: 'n1', plugins: [
    { type: 'bridge', ipam: { type: 'host-local', subnet: '10.0.0.0/24' } },
    { type: 'ptp', ipam: { type: 'other', dataDir: '/tmp/x', subnet: '10.1.0.0/24' } },
  ] }));
  assert.deepEqual(ipamDirs(net), ['/var/lib/cni/networks/n1', '/tmp/x/n1']);
});

test('ipFilesOf finds files naming the container; namesId matches whole ids only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'smoke-ipam-'));
  try {
    await mkdir(join(dir, 'n1'));
    await writeFile(join(dir, 'n1', '10.0.0.2'), 'pod-1\r\neth0');
    await writeFile(join(dir, 'n1', '10.0.0.3'), 'pod-10\r\neth0');
    await writeFile(join(dir, 'n1', 'last_reserved_ip.0'), 'pod-1');
    assert.deepEqual(await ipFilesOf([join(dir, 'n1'), join(dir, 'absent')], 'pod-1'), [join(dir, 'n1', '10.0.0.2')]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(namesId('-A POSTROUTING -s 10.0.0.2/32 -m comment --comment "name: \\"n\\" id: \\"pod-1\\"" -j CNI-x', 'pod-1'));
  assert.ok(!namesId('--comment "id: \\"pod-10\\""', 'pod-1'));
});
