import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectStore } from './store.js';

test("strayWrites: a killed writer's temp files in every kind's folder, not the records, not a live writer's", async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'pct-objects-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const store = new ObjectStore(stateDir);
  assert.deepEqual(await store.strayWrites(), [], 'no objects folder yet');
  await store.put({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default' } });
  const jobs = join(stateDir, 'objects', 'job');
  assert.deepEqual(await readdir(jobs), ['default_j.json']);
  // A pid above the kernel's pid_max limit (2^22) never runs: serve killed mid-write.
  const dead = join(jobs, '.default_j.json.99999999.mxbj52i5.tmp');
  await writeFile(dead, '');
  await writeFile(join(jobs, `.default_j.json.${process.pid}.mxbj52i6.tmp`), '');
  await mkdir(join(stateDir, 'objects', 'deployment'));
  const deadDeploy = join(stateDir, 'objects', 'deployment', '.default_d.json.99999998.mxbj52i7.tmp');
  await writeFile(deadDeploy, '{');
  assert.deepEqual((await store.strayWrites()).sort(), [deadDeploy, dead].sort());
  assert.equal((await store.list('Job')).length, 1, 'the record is read as before');
});
