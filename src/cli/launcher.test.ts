import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { packageRoot } from '../util/paths.js';

// The launcher (bin/podctl + bin/load-cli.cjs) with the built bundle and its V8 code cache:
// the cache is used when it matches, and the CLI works the same when it is missing, stale or
// garbage. Needs `make build` (dist/cli).
const root = packageRoot();
const BUNDLE = join(root, 'dist', 'cli', 'podctl.cjs');
const LOADER = join(root, 'bin', 'load-cli.cjs');
const loader = createRequire(import.meta.url)(LOADER) as {
  readCache(source: string, file?: string): Buffer | undefined;
};

/**
 * Whether V8 rejected the cache when compiling the bundle, in a fresh process: within one
 * process V8's in-memory compilation cache would answer instead of the file.
 */
function rejectedByV8(bundle: string, cache: string): boolean {
  const probe = `const l = require(${JSON.stringify(LOADER)}); const fs = require('node:fs');
    const source = fs.readFileSync(${JSON.stringify(bundle)}, 'utf8');
    const cached = l.readCache(source, ${JSON.stringify(cache)});
    if (!cached) throw new Error('cache header does not match');
    const { script, exports } = l.loadBundle(source, cached, ${JSON.stringify(bundle)});
    if (typeof exports.main !== 'function') throw new Error('no main');
    process.stdout.write(String(script.cachedDataRejected));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })) as boolean;
}
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** A copy of the installed layout (bin/, dist/cli/, package.json) in a temp dir. */
function installCopy(): { dir: string; bundle: string; cache: string } {
  assert.ok(statSync(BUNDLE, { throwIfNoEntry: false }), 'dist/cli/podctl.cjs is missing: run make build first');
  const dir = mkdtempSync(join(tmpdir(), 'podctl-launcher-'));
  for (const part of ['bin', join('dist', 'cli'), 'package.json']) cpSync(join(root, part), join(dir, part), { recursive: true });
  return { dir, bundle: join(dir, 'dist', 'cli', 'podctl.cjs'), cache: join(dir, 'dist', 'cli', 'podctl.cjs.cache') };
}

const podctl = (dir: string, args: string[]) => execFileSync(join(dir, 'bin', 'podctl'), args, { encoding: 'utf8' });

test('the code cache written by make build matches the bundle and V8 takes it', () => {
  assert.ok(loader.readCache(readFileSync(BUNDLE, 'utf8')), 'no cache for the current bundle: run make build');
  assert.equal(rejectedByV8(BUNDLE, `${BUNDLE}.cache`), false);
});

test('the CLI works without a code cache', (t) => {
  const copy = installCopy();
  t.after(() => rmSync(copy.dir, { recursive: true, force: true }));
  rmSync(copy.cache);
  assert.equal(podctl(copy.dir, ['--version']).trim(), version);
  assert.match(podctl(copy.dir, ['run', '--help']), /Usage: podctl run/);
});

test('a cache of another build of the bundle is not used, and the CLI still works', (t) => {
  const copy = installCopy();
  t.after(() => rmSync(copy.dir, { recursive: true, force: true }));
  const source = readFileSync(copy.bundle, 'utf8');
  assert.match(source, /^\/\/ podctl-bundle [0-9a-f-]{36}\n/);
  const rebuilt = source.replace(/^\/\/ podctl-bundle [0-9a-f-]{36}/, '// podctl-bundle 00000000-0000-0000-0000-000000000000');
  writeFileSync(copy.bundle, rebuilt);
  assert.equal(loader.readCache(rebuilt, copy.cache), undefined);
  assert.equal(podctl(copy.dir, ['--version']).trim(), version);
});

test('a cache that matches the header but not the code is rejected by V8, and the CLI still works', (t) => {
  const copy = installCopy();
  t.after(() => rmSync(copy.dir, { recursive: true, force: true }));
  const header = readFileSync(copy.cache).subarray(0, readFileSync(copy.cache).indexOf(10) + 1);
  for (const body of [new Script('"another script"').createCachedData(), Buffer.from('not a code cache at all')]) {
    writeFileSync(copy.cache, Buffer.concat([header, body]));
    assert.equal(rejectedByV8(copy.bundle, copy.cache), true);
    assert.equal(podctl(copy.dir, ['--version']).trim(), version);
  }
});

test('PODCTL_WRITE_CODE_CACHE=1 rewrites the cache after the command with what it compiled, and V8 takes it', (t) => {
  const copy = installCopy();
  t.after(() => rmSync(copy.dir, { recursive: true, force: true }));
  const before = readFileSync(copy.cache);
  const out = execFileSync(join(copy.dir, 'bin', 'podctl'), ['run', '--help'], { encoding: 'utf8', env: { ...process.env, PODCTL_WRITE_CODE_CACHE: '1' } });
  assert.match(out, /Usage: podctl run/);
  const after = readFileSync(copy.cache);
  assert.ok(!after.equals(before), 'the cache was rewritten');
  assert.ok(loader.readCache(readFileSync(copy.bundle, 'utf8'), copy.cache), 'same header: it still matches the bundle');
  assert.equal(rejectedByV8(copy.bundle, copy.cache), false);
  assert.deepEqual(readdirSync(join(copy.dir, 'dist', 'cli')).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
});
