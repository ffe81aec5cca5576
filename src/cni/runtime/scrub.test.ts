import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHarness } from '../testing/test-harness.js';

test('scrubAttachment releases only this attachment\'s host-local files and its cache entry', async (t) => {
  const h = await createHarness({ cniVersion: '1.0.0', name: 'snet', plugins: [{ type: 'fake' }] }, { fake: {} });
  t.after(h.cleanup);
  const dataDir = join(h.root, 'ipam');
  await h.writeConf({ cniVersion: '1.0.0', name: 'snet', plugins: [{ type: 'fake', ipam: { type: 'host-local', subnet: '10.1.2.0/24', dataDir } }] });
  const net = await h.runtime.getNetwork('snet');
  const rt = { containerId: 'c1', netns: '/proc/self/ns/net', ifName: 'eth0' };
  await h.runtime.addNetworkList(net, rt);
  const dir = join(dataDir, 'snet');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '10.1.2.3'), 'c1\r\neth0');
  await writeFile(join(dir, '10.1.2.4'), 'c1\r\neth1');
  await writeFile(join(dir, '10.1.2.5'), 'c2\r\neth0');
  await writeFile(join(dir, 'last_reserved_ip.0'), '10.1.2.5');

  const removed = await h.runtime.scrubAttachment(undefined, { ...rt, network: 'snet' });
  assert.deepEqual(removed, [join(dir, '10.1.2.3'), join(h.cacheDir, 'results', 'snet-c1-eth0')]);
  assert.deepEqual((await readdir(dir)).sort(), ['10.1.2.4', '10.1.2.5', 'last_reserved_ip.0']);
  assert.equal(await h.runtime.getCachedResult('snet', 'c1', 'eth0'), undefined);
  assert.deepEqual((await h.plugins.calls()).map((c) => c.verb), ['ADD'], 'no plugin runs');
});
