import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHarness } from '../testing/test-harness.js';
import { CniError } from '../errors.js';
import { SpawnPluginExec } from '../invoke/plugin-exec.js';
import { RecordingPluginExec } from '../testing/recording-exec.js';
import { isPodctlError } from '../../util/errors.js';
import type { FakeVerbBehaviour } from '../testing/fake-plugin-dir.js';

const ONE = { cniVersion: '1.0.0', name: 'enet', plugins: [{ type: 'fake' }] };
const RT = { containerId: 'c1', netns: '/proc/self/ns/net', ifName: 'eth0' };

async function addWith(t: import('node:test').TestContext, add: FakeVerbBehaviour): Promise<CniError> {
  const h = await createHarness(ONE, { fake: { ADD: add } });
  t.after(h.cleanup);
  const err = await h.runtime.addNetworkList(h.net, RT).then(() => assert.fail('ADD should fail'), (e: unknown) => e);
  assert.ok(err instanceof CniError, String(err));
  assert.deepEqual((await h.plugins.calls()).map((c) => c.verb), ['ADD', 'DEL'], 'a failed ADD is followed by DEL');
  return err;
}

test('garbage on stdout after exit 0 is a clear output error', async (t) => {
  const err = await addWith(t, { stdout: 'this is not json' });
  assert.equal(err.kind, 'output');
  assert.match(err.message, /fake failed on ADD \(network enet\): .*not JSON: "this is not json"/);
});

test('an empty answer to ADD is an output error', async (t) => {
  const err = await addWith(t, { stdout: '' });
  assert.equal(err.kind, 'output');
  assert.match(err.msg, /printed no result/);
});

test('an invalid result names the field', async (t) => {
  const err = await addWith(t, { result: { cniVersion: '1.0.0', ips: [{ address: '10.0.0.300/24' }] } });
  assert.equal(err.kind, 'output');
  assert.match(err.msg, /ips\[0\]\.address: "10\.0\.0\.300\/24" is not a CIDR/);
});

test('an interface index out of range is an output error', async (t) => {
  const err = await addWith(t, { result: { cniVersion: '1.0.0', interfaces: [{ name: 'eth0' }], ips: [{ address: '10.0.0.2/24', interface: 1 }] } });
  assert.match(err.msg, /ips\[0\]\.interface: 1 is not an index into interfaces \(length 1\)/);
});

test('a non-zero exit with stderr only reports the stderr text', async (t) => {
  const err = await addWith(t, { exitCode: 2, stderr: 'panic: something broke\n' });
  assert.equal(err.kind, 'exit');
  assert.equal(err.cniCode, 0);
  assert.match(err.msg, /exit code 2: "panic: something broke"/);
});

test('a non-zero exit with garbage stdout keeps both streams in the message', async (t) => {
  const err = await addWith(t, { exitCode: 1, stdout: '<html>', stderr: 'oops' });
  assert.equal(err.kind, 'exit');
  assert.match(err.msg, /exit code 1, and its output is not a CNI error: "<html>"; stderr: "oops"/);
});

test('a non-zero exit without any output says so', async (t) => {
  const err = await addWith(t, { exitCode: 3 });
  assert.match(err.msg, /exit code 3 with no error message/);
});

test('a result without cniVersion takes the config version', async (t) => {
  const h = await createHarness(ONE, { fake: { ADD: { result: { ips: [{ address: '10.0.0.2/24' }] } } } });
  t.after(h.cleanup);
  const result = await h.runtime.addNetworkList(h.net, RT);
  assert.equal(result.cniVersion, '1.0.0');
});

test('a hung plugin is killed at the deadline, reported as a timeout and DELeted', async (t) => {
  const h = await createHarness(ONE, { fake: { ADD: { sleepMs: 30_000 } } }, { timeoutMs: 1500 });
  t.after(h.cleanup);
  const started = Date.now();
  const err = await h.runtime.addNetworkList(h.net, RT).catch((e: unknown) => e);
  assert.ok(err instanceof CniError && err.kind === 'timeout', String(err));
  assert.ok(Date.now() - started < 10_000);
  assert.deepEqual((await h.plugins.calls()).map((c) => c.verb), ['ADD', 'DEL']);
});

test('a missing plugin names the plugin and every directory searched', async (t) => {
  const h = await createHarness({ ...ONE, plugins: [{ type: 'nosuch' }] }, {}, { cniPath: ['/nonexistent/a', '/nonexistent/b'] });
  t.after(h.cleanup);
  const err = await h.runtime.addNetworkList(h.net, RT).catch((e: unknown) => e);
  assert.ok(isPodctlError(err, 'NOT_FOUND'));
  assert.equal(err.message, 'CNI plugin "nosuch" not found in /nonexistent/a, /nonexistent/b');
  assert.deepEqual(err.details, { plugin: 'nosuch', searched: ['/nonexistent/a', '/nonexistent/b'] });
});

test('lookup follows CNI_PATH order and skips files that are not executable', async (t) => {
  const h = await createHarness(ONE, { fake: {} });
  t.after(h.cleanup);
  const first = join(h.root, 'first');
  await import('node:fs/promises').then((fs) => fs.mkdir(first));
  await writeFile(join(first, 'fake'), 'not executable', { mode: 0o644 });
  const exec = new RecordingPluginExec(undefined);
  const found = await exec.findInPath('fake', [first, h.plugins.dir]);
  assert.equal(found, join(h.plugins.dir, 'fake'));
  await chmod(join(first, 'fake'), 0o755);
  assert.equal(await exec.findInPath('fake', [first, h.plugins.dir]), join(first, 'fake'));
});

test('a plugin that cannot be started is a spawn error', async (t) => {
  const h = await createHarness(ONE, {});
  t.after(h.cleanup);
  await writeFile(join(h.plugins.dir, 'fake'), '#!/nonexistent/interpreter\n', { mode: 0o755 });
  const err = await h.runtime.addNetworkList(h.net, RT).catch((e: unknown) => e);
  assert.ok(err instanceof CniError && err.kind === 'spawn', String(err));
});

test('"text file busy" is retried until the binary is closed', async (t) => {
  const h = await createHarness(ONE, { fake: {} }, { exec: new SpawnPluginExec({ busyDelayMs: 100 }) });
  t.after(h.cleanup);
  const path = join(h.plugins.dir, 'fake');
  const script = await import('node:fs/promises').then((fs) => fs.readFile(path));
  const handle = await open(path, 'w');
  await handle.write(script);
  const started = Date.now();
  const closing = new Promise((resolve) => setTimeout(resolve, 250)).then(() => handle.close());
  const result = await h.runtime.addNetworkList(h.net, RT);
  await closing;
  assert.ok(Date.now() - started >= 250, 'it could only run after the writer closed the file');
  assert.equal(result.cniVersion, '1.0.0');
  assert.deepEqual((await h.plugins.calls()).map((c) => c.verb), ['ADD']);
});

test('operations on one container are serialised; different containers run in parallel', async (t) => {
  const h = await createHarness(ONE, { fake: { ADD: { sleepMs: 400 } } });
  t.after(h.cleanup);
  await Promise.all([
    h.runtime.addNetworkList(h.net, { ...RT, ifName: 'eth0' }),
    h.runtime.addNetworkList(h.net, { ...RT, ifName: 'eth1' }),
  ]);
  const [a, b] = await h.plugins.calls();
  assert.ok(a!.endedAt! <= b!.startedAt, 'same container: one after the other');

  await h.plugins.clearCalls();
  await Promise.all([
    h.runtime.addNetworkList(h.net, { ...RT, containerId: 'x1' }),
    h.runtime.addNetworkList(h.net, { ...RT, containerId: 'x2' }),
  ]);
  const [c, d] = await h.plugins.calls();
  assert.ok(d!.startedAt < c!.endedAt!, 'different containers overlap');
});

test('the recording fake captures the protocol without processes', async () => {
  const { CniRuntime } = await import('./cni-runtime.js');
  const exec = new RecordingPluginExec(undefined, ['fake']);
  const runtime = new CniRuntime({ confDir: '/nonexistent', cniPath: '/opt/fake', cacheDir: '/nonexistent/cache', lockDir: '/tmp', exec });
  const { parseNetworkConfig } = await import('../conf/parse-network.js');
  const net = parseNetworkConfig(JSON.stringify(ONE));
  // STATUS needs neither cache nor lock: a pure protocol round trip.
  await runtime.statusNetworkList({ ...net, cniVersion: '1.1.0' });
  assert.deepEqual(exec.calls.map((c) => [c.pluginPath, c.verb, c.stdin.cniVersion]), [['/opt/fake/fake', 'STATUS', '1.1.0']]);
  await assert.rejects(exec.findInPath('other', ['/opt/fake']), (e: unknown) => isPodctlError(e, 'NOT_FOUND'));
});
