#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, dist/cli/podctl.cjs, with esbuild, then writes its
// V8 code cache (dist/cli/podctl.cjs.cache) after loading the modules a pod's life needs.
// bin/load-cli.cjs compiles the bundle with that cache, so a start reads two files and
// compiles little instead of reading hundreds of node_modules files and compiling them.
// Each dynamic import stays lazy inside the file (esbuild wraps such modules in an init
// function): a command evaluates only the modules it uses. tsc still type-checks and builds
// dist/src, the library that `import 'podctl'` loads; this bundle is only the CLI's.
//
//   node scripts/bundle-cli.mjs [--metafile]     (make build runs it)
import { build } from 'esbuild';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');

// Modules dockerode loads that podctl never reaches. Bundled, they would cost ~160 ms of
// parsing at every start; each is replaced by a stand-in that throws a clear error if used.
//  - @grpc/grpc-js, @grpc/proto-loader: BuildKit sessions (docker.buildImage with version "2");
//    podctl builds its pause image by import, never by a BuildKit build.
//  - protobufjs: decodes BuildKit build progress (Docker.prototype.followProgress -> buildkit.js);
//    podctl follows pulls with docker.modem.followProgress, which has no BuildKit decoding.
//  - ssh2: DOCKER_HOST=ssh://...; podctl talks to a unix socket or tcp:// engine.
export const LEFT_OUT = {
  '@grpc/grpc-js': 'BuildKit build sessions',
  '@grpc/proto-loader': 'BuildKit build sessions',
  protobufjs: 'BuildKit build progress decoding',
  ssh2: 'DOCKER_HOST=ssh://... engines',
};

const leftOutPlugin = {
  name: 'podctl-left-out',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(LEFT_OUT).map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})(/.*)?$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'podctl-left-out' }));
    b.onLoad({ filter: /.*/, namespace: 'podctl-left-out' }, (args) => {
      const pkg = Object.keys(LEFT_OUT).find((m) => args.path === m || args.path.startsWith(m + '/'));
      return {
        contents: `module.exports = require('./left-out-module.cjs').leftOut(${JSON.stringify(args.path)}, ${JSON.stringify(LEFT_OUT[pkg])});`,
        resolveDir: join(root, 'scripts', 'bundle'),
        loader: 'js',
      };
    });
  },
};

// import() of a Node built-in would stay an import() in CommonJS output, which a vm.Script
// compiled with a code cache cannot run (V8 drops the dynamic import callback). Each becomes a
// require() of the built-in behind esbuild's lazy wrapper, loaded when the import() runs.
const builtinImportPlugin = {
  name: 'podctl-builtin-import',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'podctl-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'podctl-builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

// fs-native-extensions (podctl's file locks) finds its prebuilt binary through require-addon,
// which costs ~8 ms of every start to resolve one file. The bundle keeps the package's own
// index.js and replaces only its binding.js: the prebuild for this platform is required by
// path, and anything else (no prebuild here, a musl build) goes through the package's own
// loader as before. `nodeRequire` is resolved at run time from the bundle's place, so a
// hoisted node_modules works too; esbuild does not follow it.
const addonBindingPlugin = {
  name: 'podctl-addon-binding',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]fs-native-extensions[\\/]binding\.js$/ }, () => ({
      contents: `
        const nodeRequire = require('node:module').createRequire(__filename);
        const { dirname, join } = require('node:path');
        const dir = dirname(nodeRequire.resolve('fs-native-extensions/package.json'));
        let binding;
        try {
          binding = nodeRequire(join(dir, 'prebuilds', process.platform + '-' + process.arch, 'fs-native-extensions.node'));
        } catch {
          binding = nodeRequire(join(dir, 'binding.js'));
        }
        module.exports = binding;`,
      loader: 'js',
    }));
  },
};

// docker-modem formats every request's options with util.inspect (showHidden, unlimited depth:
// the agent, its sockets) for a debug line that is off unless DEBUG names it: ~1 ms a request
// in a cold process, ~8 ms of a `run`. The bundle formats them only when that debug line is on.
// An exact match, so that a docker-modem that changed this line fails the build instead of
// keeping the cost unnoticed.
const MODEM_DEBUG_LINE = "debug('Sending: %s', util.inspect(options, {";
const modemDebugPlugin = {
  name: 'podctl-modem-debug',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]docker-modem[\\/]lib[\\/]modem\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(MODEM_DEBUG_LINE)) throw new Error(`docker-modem changed: ${args.path} no longer has ${MODEM_DEBUG_LINE}`);
      return { contents: source.replace(MODEM_DEBUG_LINE, `debug.enabled && ${MODEM_DEBUG_LINE}`), loader: 'js' };
    });
  },
};

export async function bundleCli({ metafile = false } = {}) {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { podctl: join(root, 'src', 'cli', 'bundle-entry.ts') },
    outdir,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.cjs' },
    // ES module code asks import.meta.url where it is (paths.ts finds package.json by it).
    define: { 'import.meta.url': '__podctlModuleUrl' },
    // The first line names this build: the code cache's header must name the same one.
    banner: { js: `// podctl-bundle ${randomUUID()}\nvar __podctlModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
    plugins: [leftOutPlugin, builtinImportPlugin, addonBindingPlugin, modemDebugPlugin],
    legalComments: 'none',
    // Less source to read and hash at every start; names stay, so stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    metafile,
  });
  if (metafile) await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  const left = (await readFile(join(outdir, 'podctl.cjs'), 'utf8')).match(/\bimport\((?!\))[^)]{0,60}/g);
  if (left) throw new Error(`the CLI bundle still has dynamic import() calls, which cannot run with its code cache: ${left.join(', ')}`);
  await createRequire(import.meta.url)('../bin/load-cli.cjs').writeCodeCache(join(outdir, 'podctl.cjs'));
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundleCli({ metafile: process.argv.includes('--metafile') });
}
