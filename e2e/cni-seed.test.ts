import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeLeftoverRules } from '../src/netns/iptables-leftovers.js';
import { bridgePorts, createCniTestEnv, exists, iptablesRules, routesIn, run } from './cni-host.js';

/**
 * The classic by-hand example (a 0.2.0 bridge .conf on a bare namespace), through podctl's runtime with the real bridge plugin: a
 * cniVersion 0.2.0 single-plugin .conf, ifname eth10, routes 0.0.0.0/0 and 1.1.1.1/32 via the
 * gateway. Only the route table is checked; no traffic is sent anywhere.
 */
const seedConf = (name: string, bridge: string, dataDir: string) => ({
  cniVersion: '0.2.0',
  name,
  type: 'bridge',
  bridge,
  isGateway: true,
  ipMasq: true,
  ipam: {
    type: 'host-local',
    subnet: '10.0.10.0/24',
    dataDir,
    routes: [{ dst: '0.0.0.0/0' }, { dst: '1.1.1.1/32', gw: '10.0.10.1' }],
  },
});

test("the seed's 0.2.0 config gives its route table inside the namespace", async () => {
  const env = await createCniTestEnv();
  const name = `pct-cni-seed-${env.id}`;
  const cid = `pct-cni-${env.id}-seed`;
  const rt = { containerId: cid, netns: env.netnsPath, ifName: 'eth10' };
  try {
    await mkdir(join(env.root, 'net.d'));
    await writeFile(join(env.root, 'net.d', '00-demo.conf'), JSON.stringify(seedConf(name, env.bridge, env.dataDir)));
    const net = await env.runtime.getNetwork();
    assert.equal(net.cniVersion, '0.2.0');

    const result = await env.runtime.addNetworkList(net, rt);
    assert.deepEqual(result, {
      cniVersion: '0.2.0',
      ip4: { ip: '10.0.10.2/24', gateway: '10.0.10.1', routes: [{ dst: '0.0.0.0/0' }, { dst: '1.1.1.1/32', gw: '10.0.10.1' }] },
      dns: {},
    });
    assert.deepEqual(await routesIn(env.netns), [
      'default via 10.0.10.1 dev eth10',
      '1.1.1.1 via 10.0.10.1 dev eth10',
      '10.0.10.0/24 dev eth10 proto kernel scope link src 10.0.10.2',
    ]);
    assert.match(await run('ip', ['-o', '-4', 'addr', 'show', 'dev', env.bridge]), /inet 10\.0\.10\.1\/24/);
    assert.ok(await exists(join(env.dataDir, name, '10.0.10.2')));

    await env.runtime.delNetworkList(net, rt);
    assert.equal(await exists(join(env.dataDir, name, '10.0.10.2')), false);
    assert.deepEqual(await bridgePorts(env.bridge), []);
    assert.deepEqual((await iptablesRules()).filter((l) => l.includes(cid)), []);
  } finally {
    await env.runtime.delNetworkList(undefined, { network: name, ...rt }).catch(() => undefined);
    await env.cleanup();
  }
  assert.deepEqual(await env.leftovers([cid]), []);
});

test('DEL after the namespace is gone sends an empty CNI_NETNS, releases the IP and drops the cache', async () => {
  const env = await createCniTestEnv();
  const name = `pct-cni-gone-${env.id}`;
  const cid = `pct-cni-${env.id}-gone`;
  const rt = { containerId: cid, netns: env.netnsPath, ifName: 'eth0' };
  try {
    await mkdir(join(env.root, 'net.d'));
    await writeFile(join(env.root, 'net.d', '10-gone.conflist'), JSON.stringify({
      cniVersion: '1.0.0',
      name,
      plugins: [{ ...seedConf(name, env.bridge, env.dataDir), cniVersion: undefined, name: undefined }],
    }));
    const net = await env.runtime.getNetwork();
    await env.runtime.addNetworkList(net, rt);
    await run('ip', ['netns', 'del', env.netns]);

    await env.runtime.delNetworkList(undefined, { network: name, ...rt });
    assert.equal(await exists(join(env.dataDir, name, '10.0.10.2')), false, 'IP released');
    assert.equal(await env.runtime.getCachedResult(name, cid, 'eth0'), undefined, 'cache dropped');
    // Without the namespace the bridge plugin cannot learn the address its ipMasq rules
    // name, so they stay (as DESIGN.md records); the pod layer's leftover sweep removes them.
    await removeLeftoverRules(
      (file, args) => run(file, args),
      async (file, args) => void (await run(file, args)),
      cid,
    );
  } finally {
    await env.runtime.delNetworkList(undefined, { network: name, ...rt, netns: '' }).catch(() => undefined);
    await env.cleanup();
  }
  assert.deepEqual(await env.leftovers([cid]), []);
});
