import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../testing/test-harness.js';
import { CniError } from '../errors.js';
import { isPodctlError } from '../../util/errors.js';

const list = (cniVersion: string, extra: object = {}) => ({ cniVersion, name: 'vnet', plugins: [{ type: 'fake-a' }, { type: 'fake-b' }], ...extra });
const RT = { containerId: 'c1', netns: '/proc/self/ns/net', ifName: 'eth0', capabilityArgs: {} };

test('CHECK sends the cached ADD result as prevResult to every plugin in order', async (t) => {
  const h = await createHarness(list('0.4.0'), { 'fake-a': {}, 'fake-b': {} });
  t.after(h.cleanup);
  const result = await h.runtime.addNetworkList(h.net, { ...RT, args: [['A', '1']] });
  await h.plugins.clearCalls();
  await h.runtime.checkNetworkList(h.net, { containerId: 'c1', netns: '/proc/self/ns/net', ifName: 'eth0' });
  const calls = await h.plugins.calls();
  assert.deepEqual(calls.map((c) => `${c.plugin}:${c.verb}`), ['fake-a:CHECK', 'fake-b:CHECK']);
  for (const call of calls) {
    assert.deepEqual(call.stdin.prevResult, result);
    assert.equal(call.env.CNI_ARGS, 'IgnoreUnknown=1;A=1', 'args of the ADD when the caller gives none');
  }
});

test('CHECK stops at the first error; is skipped by disableCheck; needs 0.4.0 and a previous ADD', async (t) => {
  const h = await createHarness(list('1.0.0'), { 'fake-a': { CHECK: { error: { code: 100, msg: 'veth missing' } } }, 'fake-b': {} });
  t.after(h.cleanup);
  await assert.rejects(h.runtime.checkNetworkList(h.net, RT), (e: unknown) => isPodctlError(e, 'FAILED_PRECONDITION'));
  await h.runtime.addNetworkList(h.net, RT);
  await h.plugins.clearCalls();
  await assert.rejects(h.runtime.checkNetworkList(h.net, RT), (e: unknown) => e instanceof CniError && e.cniCode === 100 && e.verb === 'CHECK');
  assert.deepEqual((await h.plugins.calls()).map((c) => c.plugin), ['fake-a']);

  await h.writeConf(list('1.0.0', { disableCheck: 'TRUE' }));
  await h.plugins.clearCalls();
  await h.runtime.checkNetworkList(await h.runtime.getNetwork('vnet'), RT);
  assert.deepEqual(await h.plugins.calls(), []);

  await h.writeConf(list('0.3.1'));
  await assert.rejects(h.runtime.checkNetworkList(await h.runtime.getNetwork('vnet'), RT), /CHECK needs 0.4.0/);
});

test('GC DELs cached attachments not in the valid list, then sends GC with both attachment fields (1.1.0)', async (t) => {
  const h = await createHarness(list('1.1.0'), { 'fake-a': {}, 'fake-b': {} });
  t.after(h.cleanup);
  await h.runtime.addNetworkList(h.net, RT);
  await h.runtime.addNetworkList(h.net, { ...RT, containerId: 'c2', args: [['POD', 'two']] });
  await h.plugins.clearCalls();
  await h.runtime.gcNetworkList(h.net, [{ containerId: 'c1', ifName: 'eth0' }]);
  const calls = await h.plugins.calls();
  assert.deepEqual(calls.map((c) => `${c.plugin}:${c.verb}:${c.env.CNI_CONTAINERID ?? ''}`), ['fake-b:DEL:c2', 'fake-a:DEL:c2', 'fake-a:GC:', 'fake-b:GC:']);
  assert.equal(calls[0]!.env.CNI_ARGS, 'IgnoreUnknown=1;POD=two', 'the stale DEL replays the cache');
  const gc = calls[2]!;
  assert.deepEqual(gc.env, { CNI_COMMAND: 'GC', CNI_PATH: h.plugins.dir, PATH: process.env.PATH });
  assert.deepEqual(gc.stdin['cni.dev/valid-attachments'], [{ containerID: 'c1', ifname: 'eth0' }]);
  assert.deepEqual(gc.stdin['cni.dev/attachments'], [{ containerID: 'c1', ifname: 'eth0' }]);
  assert.equal(gc.stdin.name, 'vnet');
  assert.equal(gc.stdin.prevResult, undefined);
  assert.deepEqual((await h.runtime.listCachedAttachments()).map((a) => a.containerId), ['c1']);
});

test('GC: disableGC does nothing; below 1.1.0 only the stale DELs run; errors are collected', async (t) => {
  const h = await createHarness(list('1.0.0', { disableGC: true }), { 'fake-a': {}, 'fake-b': {} });
  t.after(h.cleanup);
  await h.runtime.addNetworkList(h.net, RT);
  await h.plugins.clearCalls();
  await h.runtime.gcNetworkList(h.net, []);
  assert.deepEqual(await h.plugins.calls(), []);

  await h.writeConf(list('1.0.0'));
  await h.runtime.gcNetworkList(await h.runtime.getNetwork(), []);
  assert.deepEqual((await h.plugins.calls()).map((c) => c.verb), ['DEL', 'DEL']);

  await h.writeConf(list('1.1.0'));
  await h.plugins.setBehaviour('fake-a', { GC: { error: { code: 5, msg: 'io' } } });
  await h.plugins.setBehaviour('fake-b', { GC: { error: { code: 6, msg: 'decode' } } });
  await assert.rejects(h.runtime.gcNetworkList(await h.runtime.getNetwork(), []), (e: unknown) => isPodctlError(e, 'CNI') && /2 operations failed/.test(e.message));
});

test('STATUS runs from 1.1.0 and reports codes 50/51 as CniError', async (t) => {
  const h = await createHarness(list('1.1.0'), { 'fake-a': {}, 'fake-b': { STATUS: { error: { code: 50, msg: 'daemon down' } } } });
  t.after(h.cleanup);
  const err = await h.runtime.statusNetworkList(h.net).catch((e: unknown) => e);
  assert.ok(err instanceof CniError && err.cniCode === 50 && err.verb === 'STATUS' && err.plugin === 'fake-b');
  const calls = await h.plugins.calls();
  assert.deepEqual(calls[0]!.env, { CNI_COMMAND: 'STATUS', CNI_PATH: h.plugins.dir, PATH: process.env.PATH });
  assert.deepEqual(calls[0]!.stdin, { type: 'fake-a', name: 'vnet', cniVersion: '1.1.0' });

  await h.writeConf(list('1.0.0'));
  await h.plugins.clearCalls();
  await h.runtime.statusNetworkList(await h.runtime.getNetwork());
  assert.deepEqual(await h.plugins.calls(), [], 'not asked below 1.1.0');
});

test('VERSION probes a plugin, including the legacy 0.1.0 answers', async (t) => {
  const h = await createHarness(list('1.0.0'), {
    modern: {},
    legacy: { VERSION: { error: { code: 100, msg: 'unknown CNI_COMMAND: VERSION' } } },
    legacyStderr: { VERSION: { stderr: 'unknown CNI_COMMAND: VERSION\n', exitCode: 1 } },
    old020: { VERSION: { stdout: '{"cniVersion":"0.2.0"}' } },
    broken: { VERSION: { stdout: 'hello' } },
  });
  t.after(h.cleanup);
  assert.deepEqual(await h.runtime.pluginVersion('modern'), { cniVersion: '1.1.0', supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
  const [call] = await h.plugins.calls();
  assert.deepEqual(call!.stdin, { cniVersion: '1.1.0' });
  assert.deepEqual(call!.env, { CNI_COMMAND: 'VERSION', CNI_NETNS: 'dummy', CNI_IFNAME: 'dummy', CNI_PATH: h.plugins.dir, PATH: process.env.PATH });
  assert.deepEqual(await h.runtime.pluginVersion('legacy'), { cniVersion: '0.1.0', supportedVersions: ['0.1.0'] });
  assert.deepEqual(await h.runtime.pluginVersion('legacyStderr'), { cniVersion: '0.1.0', supportedVersions: ['0.1.0'] });
  assert.deepEqual(await h.runtime.pluginVersion('old020'), { cniVersion: '0.2.0', supportedVersions: ['0.1.0', '0.2.0'] });
  await assert.rejects(h.runtime.pluginVersion('broken'), (e: unknown) => e instanceof CniError && e.kind === 'output');
});
