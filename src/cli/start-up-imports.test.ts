import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Every command's start-up loads main.ts and the command definitions: none of them may load
// an action, serve, the API or the controllers (they load in the action, when it runs).
const cli = dirname(fileURLToPath(import.meta.url));
const LAZY = ['cli/actions', 'serve', 'api', 'controllers'].map((dir) => resolve(cli, '..', dir));

test('the command definitions load no action, serve or controller code at start-up', async () => {
  const files = [join(cli, 'main.ts'), ...(await readdir(join(cli, 'commands'))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join(cli, 'commands', f))];
  const eager: string[] = [];
  for (const file of files) {
    for (const m of (await readFile(file, 'utf8')).matchAll(/^import (?!type )[^;]*? from '([^']+)'/gm)) {
      const target = resolve(dirname(file), m[1]!);
      if (LAZY.some((dir) => target.startsWith(dir + '/'))) eager.push(`${file.slice(cli.length + 1)} -> ${m[1]}`);
    }
  }
  assert.deepEqual(eager, []);
});
