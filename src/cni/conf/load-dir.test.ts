import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CniRuntime } from '../runtime/cni-runtime.js';
import { scanConfDir } from './load-dir.js';
import { isPodctlError } from '../../util/errors.js';

async function confDir(t: import('node:test').TestContext, files: Record<string, unknown>): Promise<{ dir: string; runtime: CniRuntime }> {
  const dir = await mkdtemp(join(tmpdir(), 'pct-cni-confdir-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return { dir, runtime: new CniRuntime({ confDir: dir, cniPath: [], cacheDir: join(dir, 'cache'), lockDir: join(dir, 'locks') }) };
}

const net = (name: string) => ({ cniVersion: '1.0.0', name, plugins: [{ type: 'bridge' }] });

test('configs are read in file-name order; only .conf, .conflist and .json count', async (t) => {
  const { dir, runtime } = await confDir(t, {
    '20-b.conflist': net('b'),
    '10-a.conf': { cniVersion: '0.4.0', name: 'a', type: 'bridge' },
    '30-c.json': net('c'),
    '05-ignored.txt': net('ignored'),
    '99-z.conflist.bak': net('bak'),
  });
  await mkdir(join(dir, '00-dir.conf'));
  await symlink(join(dir, '30-c.json'), join(dir, '40-link.conflist'));
  await writeFile(join(dir, '30-c.json'), JSON.stringify(net('c')));
  const scan = await scanConfDir(dir);
  assert.deepEqual(scan.networks.map((n) => n.name), ['a', 'b', 'c']);
  assert.equal(scan.problems.length, 1, 'the symlinked copy duplicates "c"');
  assert.match(scan.problems[0]!.error.message, /40-link\.conflist: name: network "c" is already defined in .*30-c\.json/);
  await assert.rejects(runtime.loadNetworks(), (e: unknown) => isPodctlError(e, 'INVALID_CONFIG'));
});

test('the default network is the first valid one; names are looked up; broken files explain themselves', async (t) => {
  const { dir, runtime } = await confDir(t, {
    '00-broken.conflist': { cniVersion: '1.0.0', name: 'broken', plugins: [] },
    '10-good.conflist': net('good'),
    '20-other.conflist': net('other'),
  });
  assert.equal((await runtime.getNetwork()).name, 'good');
  assert.equal((await runtime.getNetwork('other')).name, 'other');
  await assert.rejects(runtime.getNetwork('broken'), (e: unknown) => isPodctlError(e, 'INVALID_CONFIG') && /00-broken\.conflist: plugins: is empty/.test(e.message));
  await assert.rejects(runtime.getNetwork('nope'), (e: unknown) => isPodctlError(e, 'NOT_FOUND') && e.message === `CNI network "nope" not found in ${dir} (networks: good, other)`);
  await assert.rejects(runtime.loadNetworks(), (e: unknown) => isPodctlError(e, 'INVALID_CONFIG') && /00-broken/.test(e.message));
});

test('an empty or missing conf dir is NOT_FOUND', async (t) => {
  const { dir, runtime } = await confDir(t, {});
  await assert.rejects(runtime.getNetwork(), (e: unknown) => isPodctlError(e, 'NOT_FOUND') && e.message === `no CNI network configs in ${dir}`);
  assert.deepEqual(await runtime.loadNetworks(), []);
  const missing = new CniRuntime({ confDir: join(dir, 'missing'), cniPath: [], cacheDir: dir, lockDir: dir });
  await assert.rejects(missing.loadNetworks(), (e: unknown) => isPodctlError(e, 'NOT_FOUND') && /does not exist/.test(e.message));
});
