import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strayTempFiles, writeJsonAtomic } from './atomic-file.js';

test('strayTempFiles: the temp files of writers that are gone, not a live writer\'s, not the records', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pct-atomic-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeJsonAtomic(join(dir, 'record'), { a: 1 });
  assert.deepEqual(await readdir(dir), ['record'], 'a finished write leaves no temp file');
  // A pid above the kernel's pid_max limit (2^22) never runs.
  const dead = join(dir, '.record.99999999.mxb50s9j.tmp');
  await writeFile(dead, '{"a":');
  await writeFile(join(dir, `.record.${process.pid}.mxb50s9k.tmp`), '{"a":');
  await writeFile(join(dir, '.hidden'), '');
  assert.deepEqual(await strayTempFiles(dir), [dead]);
  assert.deepEqual(await strayTempFiles(join(dir, 'missing')), []);
});
