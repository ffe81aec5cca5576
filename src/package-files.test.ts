// What `npm pack` publishes: the library build and the CLI bundle, never tests or test doubles.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runCommand } from './util/run-command.js';

const root = fileURLToPath(new URL('..', import.meta.url));

test('the published package holds the build and no tests or test doubles', async () => {
  assert.ok(existsSync(`${root}/dist/src/index.js`), 'dist/ is missing: run make build first');
  const r = await runCommand('npm', ['pack', root, '--dry-run', '--json', '--ignore-scripts'], { timeoutMs: 60_000 });
  const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
  for (const needed of ['bin/podctl', 'bin/load-cli.cjs', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/cli/podctl.cjs', 'cni-conf/10-podctl.conflist', 'images/pause/pause.c'])
    assert.ok(files.includes(needed), `${needed} is not in the package`);
  const testFiles = files.filter((f) => /\.test\.|\/testing\/|^e2e\/|^bench\/|^src\//.test(f));
  assert.deepEqual(testFiles, []);
});
