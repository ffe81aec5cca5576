import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHarness } from '../testing/test-harness.js';
import { RecordingPluginExec, defaultAnswer } from '../testing/recording-exec.js';
import { CniRuntime } from './cni-runtime.js';
import { CniError } from '../errors.js';
import { isPodctlError } from '../../util/errors.js';

const LIST = {
  cniVersion: '1.0.0',
  name: 'unitnet',
  plugins: [
    { type: 'fake-a', cniVersion: '0.3.1', name: 'ignored', capabilities: { portMappings: true }, custom: { keep: [1, 2] } },
    { type: 'fake-b', capabilities: { bandwidth: true, mac: false } },
    { type: 'fake-c' },
  ],
};
const RESULT_A = { cniVersion: '1.0.0', interfaces: [{ name: 'eth0', sandbox: '/proc/self/ns/net' }], ips: [{ address: '10.9.0.2/24', gateway: '10.9.0.1', interface: 0 }] };
const RESULT_B = { ...RESULT_A, routes: [{ dst: '0.0.0.0/0', gw: '10.9.0.1' }] };
const CAPS = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], bandwidth: { ingressRate: 1000 }, mac: 'aa:bb:cc:dd:ee:ff', dns: { servers: ['10.0.0.53'] } };
const RT = { containerId: 'ctr-1', netns: '/proc/self/ns/net', ifName: 'eth0', args: [['K8S_POD_NAME', 'web']] as Array<[string, string]>, capabilityArgs: CAPS };

test('ADD runs the chain in order with the exact CNI protocol and caches the final result', async (t) => {
  const h = await createHarness(LIST, { 'fake-a': { ADD: { result: RESULT_A } }, 'fake-b': { ADD: { result: RESULT_B } }, 'fake-c': {} });
  t.after(h.cleanup);
  const result = await h.runtime.addNetworkList(h.net, RT);
  const calls = await h.plugins.calls();
  assert.deepEqual(calls.map((c) => `${c.plugin}:${c.verb}`), ['fake-a:ADD', 'fake-b:ADD', 'fake-c:ADD']);
  for (const call of calls) {
    assert.deepEqual(call.env, {
      CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'ctr-1', CNI_NETNS: '/proc/self/ns/net', CNI_IFNAME: 'eth0',
      CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=web', CNI_PATH: h.plugins.dir, PATH: process.env.PATH,
    });
    assert.equal(call.stdin.name, 'unitnet');
    assert.equal(call.stdin.cniVersion, '1.0.0');
  }
  const [a, b, c] = calls.map((x) => x.stdin);
  assert.deepEqual(a!.custom, { keep: [1, 2] }, 'unknown fields pass through');
  assert.deepEqual(a!.runtimeConfig, { portMappings: CAPS.portMappings }, 'only declared capabilities');
  assert.deepEqual(b!.runtimeConfig, { bandwidth: CAPS.bandwidth }, 'mac: false is not declared');
  assert.equal(c!.runtimeConfig, undefined);
  assert.equal(a!.prevResult, undefined);
  assert.deepEqual(b!.prevResult, RESULT_A);
  assert.deepEqual(c!.prevResult, RESULT_B);
  assert.deepEqual(result, RESULT_B, 'fake-c passes its prevResult on');

  const file = join(h.cacheDir, 'results', 'unitnet-ctr-1-eth0');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(join(h.cacheDir, 'results'))).mode & 0o777, 0o700);
  const cached = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(cached.config, h.net.bytes);
  assert.deepEqual(cached.args, RT.args);
  assert.deepEqual(cached.capabilityArgs, CAPS);
  assert.deepEqual(cached.result, RESULT_B);
  assert.deepEqual(await h.runtime.getCachedResult('unitnet', 'ctr-1', 'eth0'), RESULT_B);
});

test('DEL replays the cached config, args, capabilities and prevResult in reverse, even after the file changed', async (t) => {
  const h = await createHarness(LIST, { 'fake-a': { ADD: { result: RESULT_A } }, 'fake-b': { ADD: { result: RESULT_B } }, 'fake-c': {}, 'fake-new': {} });
  t.after(h.cleanup);
  await h.runtime.addNetworkList(h.net, RT);
  await h.writeConf({ cniVersion: '1.0.0', name: 'unitnet', plugins: [{ type: 'fake-new' }] });
  const changed = await h.runtime.getNetwork('unitnet');
  await h.plugins.clearCalls();

  await h.runtime.delNetworkList(changed, { containerId: 'ctr-1', netns: '/proc/self/ns/net', ifName: 'eth0' });
  const calls = await h.plugins.calls();
  assert.deepEqual(calls.map((c) => `${c.plugin}:${c.verb}`), ['fake-c:DEL', 'fake-b:DEL', 'fake-a:DEL']);
  for (const call of calls) {
    assert.equal(call.env.CNI_ARGS, 'IgnoreUnknown=1;K8S_POD_NAME=web');
    assert.deepEqual(call.stdin.prevResult, RESULT_B);
  }
  assert.deepEqual(calls[2]!.stdin.runtimeConfig, { portMappings: CAPS.portMappings });
  assert.deepEqual(calls[1]!.stdin.runtimeConfig, { bandwidth: CAPS.bandwidth });
  assert.equal(await h.runtime.getCachedResult('unitnet', 'ctr-1', 'eth0'), undefined, 'cache removed');

  // Idempotent: without a cache the given config runs, without prevResult.
  await h.plugins.clearCalls();
  await h.runtime.delNetworkList(changed, { containerId: 'ctr-1', netns: '/proc/self/ns/net', ifName: 'eth0' });
  const again = await h.plugins.calls();
  assert.deepEqual(again.map((c) => `${c.plugin}:${c.verb}`), ['fake-new:DEL']);
  assert.equal(again[0]!.stdin.prevResult, undefined);
  assert.equal(again[0]!.env.CNI_ARGS, 'IgnoreUnknown=1');

  // Neither cache nor config: nothing to run, no error.
  await h.plugins.clearCalls();
  await h.runtime.delNetworkList(undefined, { network: 'unitnet', containerId: 'ctr-1', netns: '', ifName: 'eth0' });
  assert.deepEqual(await h.plugins.calls(), []);
});

test('DEL sends an empty CNI_NETNS when the namespace is gone, and no prevResult below 0.4.0', async (t) => {
  const h = await createHarness({ ...LIST, cniVersion: '0.3.1' }, { 'fake-a': {}, 'fake-b': {}, 'fake-c': {} });
  t.after(h.cleanup);
  await h.runtime.addNetworkList(h.net, { ...RT, netns: '/proc/self/ns/net' });
  await h.plugins.clearCalls();
  await h.runtime.delNetworkList(h.net, { containerId: 'ctr-1', netns: join(h.root, 'gone-netns'), ifName: 'eth0' });
  const calls = await h.plugins.calls();
  assert.equal(calls.length, 3);
  for (const call of calls) {
    assert.equal(call.env.CNI_NETNS, '');
    assert.equal(call.stdin.prevResult, undefined);
  }
});

test('a failing ADD stops the chain, DELs the whole list in reverse with what the failing plugin was given, caches nothing and reports the ADD error', async (t) => {
  const h = await createHarness(LIST, {
    'fake-a': { ADD: { result: RESULT_A } },
    'fake-b': { ADD: { error: { code: 7, msg: 'bad bridge', details: 'field x' } } },
    'fake-c': {},
  });
  t.after(h.cleanup);
  const err = await h.runtime.addNetworkList(h.net, RT).then(() => assert.fail('ADD should fail'), (e: unknown) => e);
  assert.ok(err instanceof CniError);
  assert.equal(err.code, 'CNI');
  assert.equal(err.kind, 'plugin');
  assert.equal(err.cniCode, 7);
  assert.equal(err.msg, 'bad bridge');
  assert.equal(err.cniDetails, 'field x');
  assert.equal(err.plugin, 'fake-b');
  assert.equal(err.verb, 'ADD');
  assert.match(err.message, /fake-b failed on ADD \(network unitnet\): \[code 7\] bad bridge; field x/);
  const calls = await h.plugins.calls();
  assert.deepEqual(calls.map((c) => `${c.plugin}:${c.verb}`), ['fake-a:ADD', 'fake-b:ADD', 'fake-c:DEL', 'fake-b:DEL', 'fake-a:DEL']);
  // fake-b may have acted on fake-a's addresses before it failed: DEL names them to every plugin.
  for (const del of calls.filter((c) => c.verb === 'DEL')) assert.deepEqual(del.stdin.prevResult, RESULT_A, `${del.plugin} DEL`);
  assert.equal(await h.runtime.getCachedResult('unitnet', 'ctr-1', 'eth0'), undefined);
  assert.deepEqual(await h.runtime.listCachedAttachments(), [], 'the intent went with the rollback');
});

test('ADD records its intent before the first plugin and each new prevResult before the next: a DEL after a kill replays them', async (t) => {
  const h = await createHarness(LIST, { 'fake-a': { ADD: { result: RESULT_A } }, 'fake-b': { ADD: { result: RESULT_B } }, 'fake-c': {} });
  t.after(h.cleanup);
  const file = join(h.cacheDir, 'results', 'unitnet-ctr-1-eth0');
  // What the cache held while each plugin ran, as a podctl killed at that moment leaves it.
  const seen = new Map<string, string>();
  const answers: Record<string, unknown> = { 'fake-a': RESULT_A, 'fake-b': RESULT_B };
  const exec = new RecordingPluginExec(async (call) => {
    if (call.verb !== 'ADD') return {};
    seen.set(call.plugin, await readFile(file, 'utf8'));
    return answers[call.plugin] ? { stdout: JSON.stringify(answers[call.plugin]) } : defaultAnswer(call);
  }, ['fake-a', 'fake-b', 'fake-c']);
  const runtime = new CniRuntime({ confDir: h.confDir, cniPath: h.plugins.dir, cacheDir: h.cacheDir, lockDir: join(h.root, 'locks'), exec });
  await runtime.addNetworkList(h.net, RT);

  const at = (plugin: string) => JSON.parse(seen.get(plugin)!) as { complete: boolean; result?: unknown; config: string; capabilityArgs: unknown };
  assert.equal(at('fake-a').complete, false);
  assert.equal(at('fake-a').result, undefined, 'before the first plugin: the intent, no result');
  assert.equal(at('fake-a').config, h.net.bytes);
  assert.deepEqual(at('fake-a').capabilityArgs, CAPS);
  assert.deepEqual(at('fake-b').result, RESULT_A);
  assert.deepEqual(at('fake-c').result, RESULT_B);
  assert.equal(at('fake-c').complete, false);
  const done = JSON.parse(await readFile(file, 'utf8')) as { complete: boolean; result: unknown };
  assert.equal(done.complete, true);
  assert.deepEqual(done.result, RESULT_B);

  // podctl killed while fake-c ran: the cache as it was then, and a DEL by the next podctl.
  await writeFile(file, seen.get('fake-c')!);
  assert.equal(await runtime.getCachedResult('unitnet', 'ctr-1', 'eth0'), undefined, 'an unfinished ADD has no result to show');
  await assert.rejects(runtime.checkNetworkList(h.net, RT), (e: unknown) => isPodctlError(e) && e.code === 'FAILED_PRECONDITION');
  exec.calls.length = 0;
  await runtime.delNetworkList(undefined, { ...RT, network: 'unitnet' });
  assert.deepEqual(exec.calls.map((c) => `${c.plugin}:${c.verb}`), ['fake-c:DEL', 'fake-b:DEL', 'fake-a:DEL']);
  for (const del of exec.calls) assert.deepEqual(del.stdin.prevResult, RESULT_B, `${del.plugin} DEL`);
  assert.deepEqual(await runtime.listCachedAttachments(), []);
});

test('a failing DEL stops at the first error and keeps the cache so DEL can be retried', async (t) => {
  const h = await createHarness(LIST, { 'fake-a': {}, 'fake-b': {}, 'fake-c': { DEL: { error: { code: 11, msg: 'busy' } } } });
  t.after(h.cleanup);
  await h.runtime.addNetworkList(h.net, RT);
  await h.plugins.clearCalls();
  const err = await h.runtime.delNetworkList(h.net, RT).catch((e: unknown) => e);
  assert.ok(err instanceof CniError && err.cniCode === 11 && err.verb === 'DEL' && err.plugin === 'fake-c');
  assert.equal(err.hint, 'the plugin asks to retry later');
  assert.deepEqual((await h.plugins.calls()).map((c) => c.plugin), ['fake-c']);
  assert.ok(await h.runtime.getCachedResult('unitnet', 'ctr-1', 'eth0'), 'cache kept');

  await h.plugins.setBehaviour('fake-c', {});
  await h.runtime.delNetworkList(h.net, RT);
  assert.equal(await h.runtime.getCachedResult('unitnet', 'ctr-1', 'eth0'), undefined);
});

test('a single-plugin .conf is a list of one; the cache stores and replays it', async (t) => {
  const h = await createHarness(LIST, { 'fake-a': {} });
  t.after(h.cleanup);
  const single = { cniVersion: '0.2.0', name: 'single', type: 'fake-a', bridge: 'x' };
  await h.writeConf(single, '05-single.conf');
  const net = await h.runtime.getNetwork();
  assert.equal(net.name, 'single', 'first file by name is the default');
  assert.equal(net.plugins.length, 1);
  const result = await h.runtime.addNetworkList(net, { containerId: 'c0', netns: '/proc/self/ns/net', ifName: 'eth10' });
  assert.deepEqual(result, { cniVersion: '0.2.0', ip4: { ip: '10.1.2.3/24', gateway: '10.1.2.1' } });
  const [add] = await h.plugins.calls();
  assert.equal(add!.stdin.bridge, 'x');
  await h.runtime.delNetworkList(undefined, { network: 'single', containerId: 'c0', netns: '', ifName: 'eth10' });
  const calls = await h.plugins.calls();
  assert.deepEqual(calls.map((c) => c.verb), ['ADD', 'DEL']);
  assert.equal(calls[1]!.stdin.prevResult, undefined, 'no prevResult on DEL before 0.4.0');
});

test('bad attachment parameters are rejected before any plugin runs', async (t) => {
  const h = await createHarness(LIST, { 'fake-a': {}, 'fake-b': {}, 'fake-c': {} });
  t.after(h.cleanup);
  const bad = [
    { ...RT, containerId: '-starts-with-dash' },
    { ...RT, containerId: 'has/slash' },
    { ...RT, ifName: 'a-very-long-ifname' },
    { ...RT, ifName: 'eth:0' },
    { ...RT, ifName: 'eth 0' },
    { ...RT, ifName: '..' },
    { ...RT, ifName: '' },
    { ...RT, netns: 'relative/path' },
    { ...RT, netns: '' },
    { ...RT, args: [['K', 'a;b']] as Array<[string, string]> },
    { ...RT, args: [['K', 'a=b']] as Array<[string, string]> },
    { ...RT, args: [['K=1', 'v']] as Array<[string, string]> },
  ];
  for (const rt of bad) {
    await assert.rejects(h.runtime.addNetworkList(h.net, rt), (e: unknown) => isPodctlError(e, 'INVALID_ARGUMENT'), JSON.stringify(rt));
  }
  assert.deepEqual(await h.plugins.calls(), []);
});

test('prevResult reaches the next plugin in the network version, whatever version the previous plugin answered', async (t) => {
  const v04 = { cniVersion: '0.4.0', ips: [{ version: '4', address: '10.9.0.2/24', gateway: '10.9.0.1' }] };
  const h = await createHarness({ cniVersion: '1.0.0', name: 'unitnet', plugins: [{ type: 'fake-a' }, { type: 'fake-b' }] }, { 'fake-a': { ADD: { result: v04 } }, 'fake-b': {} });
  t.after(h.cleanup);
  await h.runtime.addNetworkList(h.net, RT);
  const [, b] = await h.plugins.calls();
  assert.deepEqual(b!.stdin.prevResult, { cniVersion: '1.0.0', ips: [{ address: '10.9.0.2/24', gateway: '10.9.0.1' }] });
});

test('a corrupt cache entry does not block DEL: the given config runs and the entry goes', async (t) => {
  const h = await createHarness(LIST, { 'fake-a': {}, 'fake-b': {}, 'fake-c': {} });
  t.after(h.cleanup);
  await h.runtime.addNetworkList(h.net, RT);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(h.cacheDir, 'results', 'unitnet-ctr-1-eth0'), '{ torn');
  await h.plugins.clearCalls();
  await h.runtime.delNetworkList(h.net, RT);
  assert.deepEqual((await h.plugins.calls()).map((c) => c.plugin), ['fake-c', 'fake-b', 'fake-a']);
  await assert.rejects(stat(join(h.cacheDir, 'results', 'unitnet-ctr-1-eth0')), /ENOENT/);
});
