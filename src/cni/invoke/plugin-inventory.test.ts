import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listPluginsInDirs, parseAboutVersion } from './plugin-inventory.js';

test('listPluginsInDirs lists executables by name, the first directory winning, as lookup does', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'podctl-inventory-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const [first, second] = [join(root, 'opt'), join(root, 'usr')];
  await Promise.all([mkdir(first), mkdir(join(second, 'subdir'), { recursive: true })]);
  await writeFile(join(first, 'bridge'), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(join(second, 'bridge'), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(join(second, 'portmap'), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(join(second, 'README'), 'not a plugin', { mode: 0o644 });
  assert.deepEqual(await listPluginsInDirs([first, second, join(root, 'missing')]), [
    { name: 'bridge', path: join(first, 'bridge') },
    { name: 'portmap', path: join(second, 'portmap') },
  ]);
});

test('parseAboutVersion reads the release line of the reference plugins\' about text', () => {
  assert.equal(parseAboutVersion('CNI bridge plugin v1.4.0\nCNI protocol versions supported: 0.1.0, 1.0.0\n'), 'v1.4.0');
  assert.equal(parseAboutVersion('CNI portmap plugin version unknown\nCNI protocol versions supported: 1.0.0\n'), 'unknown');
  assert.equal(parseAboutVersion('usage: my-plugin [flags]\n'), undefined);
});
