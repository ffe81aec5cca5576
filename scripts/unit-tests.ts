// `make unit`: every src/**/*.test.ts in this one process. The unit tests need no root and no
// Docker; run file by file, each would pay its own Node and tsx start (~0.4 s, more than most
// files' tests take), so one process keeps the whole phase to seconds.
//
//   node --import tsx --test-reporter=tap scripts/unit-tests.ts
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.test.ts')).sort();
for (const file of files) await import(pathToFileURL(join(src, file)).href);
