// Loads and runs the podctl CLI in the Node process bin/podctl started. It prefers the
// esbuild bundle (dist/cli/podctl.cjs: one CommonJS file) compiled with the V8 code cache
// that `make build` wrote beside it, so most of the CLI is not parsed or compiled again at
// every start. A cache that does not match (another build of the bundle, another Node) is not
// used: the header check below drops it, and V8 itself rejects bytes it did not write for
// this source and recompiles. Without a bundle, or with one older than the tsc build (someone ran only
// `tsc`), it falls back to dist/src. CommonJS, so that loading this file costs no ESM loader.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const ROOT = path.join(__dirname, '..');
const BUNDLE = path.join(ROOT, 'dist', 'cli', 'podctl.cjs');
const CACHE = `${BUNDLE}.cache`;
const COMPILED = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

/**
 * What the cache file's first line must say: this Node, and the bundle's first line, which
 * names its build (a random id the build writes: it survives copies and installs, which an
 * mtime would not).
 */
function cacheKey(source) {
  return `podctl-code-cache ${process.version} ${source.slice(0, source.indexOf('\n'))}`;
}

/** The cached code for this exact bundle source, or undefined (missing, stale, unreadable). */
function readCache(source, file = CACHE) {
  let blob;
  try {
    blob = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const newline = blob.indexOf(10);
  if (newline < 0 || blob.toString('latin1', 0, newline) !== cacheKey(source)) return undefined;
  return blob.subarray(newline + 1);
}

/**
 * Compiles the bundle source as a CommonJS module with `cachedData`, runs its top level and
 * returns its exports and the vm.Script (the build uses it to write the cache).
 */
function loadBundle(source, cachedData = undefined, file = BUNDLE) {
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, path.dirname(file));
  return { exports: mod.exports, script };
}

/** Writes the bundle's code cache after loadForCodeCache ran (build time, see scripts/bundle-cli.mjs). */
async function writeCodeCache(file = BUNDLE, cacheFile = `${file}.cache`) {
  const source = fs.readFileSync(file, 'utf8');
  const { exports, script } = loadBundle(source, undefined, file);
  await exports.loadForCodeCache();
  fs.writeFileSync(cacheFile, Buffer.concat([Buffer.from(cacheKey(source) + '\n', 'latin1'), script.createCachedData()]));
}

/**
 * Rewrites the code cache from this process after its command ran, so that it also holds what
 * the command compiled: V8 compiles a function at its first call, and a cache written at build
 * time holds only what ran then. scripts/setup.sh runs one pod's life with
 * PODCTL_WRITE_CODE_CACHE=1 for that. Written beside and renamed, so a start that reads it at the
 * same moment gets the old cache or the new one; a failure to write leaves the old one.
 */
function rewriteCodeCache(script, source, cacheFile = CACHE) {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(cacheKey(source) + '\n', 'latin1'), script.createCachedData()]));
    fs.renameSync(tmp, cacheFile);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

async function run(argv) {
  const bundle = fs.statSync(BUNDLE, { throwIfNoEntry: false });
  const compiled = fs.statSync(COMPILED, { throwIfNoEntry: false });
  if (bundle && (!compiled || bundle.mtimeMs >= compiled.mtimeMs)) {
    const source = fs.readFileSync(BUNDLE, 'utf8');
    const { exports, script } = loadBundle(source, readCache(source));
    await exports.main(argv);
    if (process.env.PODCTL_WRITE_CODE_CACHE === '1') rewriteCodeCache(script, source);
    return;
  }
  if (!compiled) {
    process.stderr.write('podctl: not built yet: dist/ is missing; run `make build` (or `make setup`) in the podctl directory\n');
    process.exitCode = 1;
    return;
  }
  return (await import(require('node:url').pathToFileURL(COMPILED).href)).main(argv);
}

module.exports = { writeCodeCache, readCache, loadBundle, rewriteCodeCache };

if (require.main === module) {
  run(process.argv).catch((err) => {
    process.stderr.write(`podctl: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
}
