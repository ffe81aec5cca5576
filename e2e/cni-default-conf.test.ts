import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadNetworkFile, toCurrentResult } from '../src/cni/index.js';
import { createCniTestEnv, exists, iptablesRules, routesIn } from './cni-host.js';

const SHIPPED = join(import.meta.dirname, '..', 'cni-conf', '10-podctl.conflist');

test('the shipped default network is what podctl promises', async () => {
  const net = await loadNetworkFile(SHIPPED);
  assert.equal(net.name, 'podctl');
  assert.equal(net.cniVersion, '1.0.0');
  assert.deepEqual(net.plugins.map((p) => p.type), ['bridge', 'portmap', 'firewall', 'tuning']);
  const [bridge, portmap] = net.plugins;
  assert.equal(bridge!.bridge, 'podctl0');
  assert.equal(bridge!.isGateway, true);
  assert.equal(bridge!.ipMasq, true);
  assert.equal(bridge!.hairpinMode, true);
  assert.deepEqual(bridge!.ipam, {
    type: 'host-local',
    dataDir: '/var/lib/podctl/cni/networks',
    ranges: [[{ subnet: '10.99.0.0/16', gateway: '10.99.0.1' }]],
    routes: [{ dst: '0.0.0.0/0' }],
  });
  assert.deepEqual(portmap!.capabilities, { portMappings: true });
  assert.equal(portmap!.snat, true);
});

test('the default network works with the Debian plugins (bridge, subnet and dataDir made private)', async () => {
  const env = await createCniTestEnv();
  const cid = `pct-cni-${env.id}-default`;
  const third = Number.parseInt(env.id.slice(0, 2), 16);
  const prefix = `10.232.${third}`;
  const rt = { containerId: cid, netns: env.netnsPath, ifName: 'eth0', capabilityArgs: { portMappings: [{ hostPort: 30000 + third, containerPort: 80, protocol: 'tcp' }] } };
  const shipped = JSON.parse(await readFile(SHIPPED, 'utf8'));
  // Only what would collide with a real podctl on this host changes; the chain stays as shipped.
  shipped.name = `pct-cni-default-${env.id}`;
  shipped.plugins[0].bridge = env.bridge;
  shipped.plugins[0].ipam.dataDir = env.dataDir;
  shipped.plugins[0].ipam.ranges = [[{ subnet: `${prefix}.0/24`, gateway: `${prefix}.1` }]];
  try {
    await mkdir(join(env.root, 'net.d'));
    await writeFile(join(env.root, 'net.d', '10-podctl.conflist'), JSON.stringify(shipped));
    const net = await env.runtime.getNetwork();
    const result = toCurrentResult(await env.runtime.addNetworkList(net, rt));
    assert.equal(result.ips?.[0]?.address, `${prefix}.2/24`);
    assert.ok((await routesIn(env.netns)).includes(`default via ${prefix}.1 dev eth0`));
    assert.ok((await iptablesRules()).some((l) => l.includes(cid) && l.includes('CNI-DN-')), 'portmap DNAT in place');
    await env.runtime.checkNetworkList(net, rt); // disableCheck: no plugin runs
    await env.runtime.delNetworkList(net, rt);
    assert.equal(await exists(join(env.dataDir, shipped.name, `${prefix}.2`)), false);
    assert.deepEqual((await iptablesRules()).filter((l) => l.includes(cid) || l.includes(`${prefix}.2/32`)), []);
  } finally {
    await env.runtime.delNetworkList(undefined, { network: shipped.name, ...rt }).catch(() => undefined);
    await env.cleanup();
  }
  assert.deepEqual(await env.leftovers([cid]), []);
});
