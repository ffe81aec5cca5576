import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchObjectRecords } from './object-watch.js';

test('a record written by rename or removed wakes its key; temporary files do not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-watch-'));
  const keys = new Set<string>();
  const w = await watchObjectRecords(dir, ['Deployment', 'Job'], (k) => keys.add(k));
  try {
    const d = join(dir, 'objects', 'deployment');
    await writeFile(join(d, 'tmp-x'), '{}');
    await rename(join(d, 'tmp-x'), join(d, 'default_web.json'));
    await writeFile(join(dir, 'objects', 'job', 'dev_pi-2.json'), '{}');
    await rm(join(d, 'default_web.json'));
    await sleep(100);
    assert.deepEqual([...keys].sort(), ['Deployment/default/web', 'Job/dev/pi-2']);
  } finally {
    w.close();
    await rm(dir, { recursive: true, force: true });
  }
});
