// `make unit`: every src/**/*.test.ts, in two processes (one per core) of about half the files
// each. The unit tests need no root and no Docker. Run file by file, each would pay its own
// Node and tsx start (~0.4 s, more than most files' tests take); in one process the tests that
// wait on real fake-plugin processes (deadlines, serialisation) wait one after another. Two
// shards, started together by node's test runner, keep the phase to a few seconds:
//
//   node --import tsx --test --test-concurrency=2 scripts/unit-shard-0.ts scripts/unit-shard-1.ts
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SHARDS = 2;

/** Imports (and so runs) every `index`-th test file, in a stable order. */
export async function runShard(index: number): Promise<void> {
  const src = fileURLToPath(new URL('../src/', import.meta.url));
  const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.test.ts')).sort();
  for (const [i, file] of files.entries()) if (i % SHARDS === index) await import(pathToFileURL(join(src, file)).href);
}
