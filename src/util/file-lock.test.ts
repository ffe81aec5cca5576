import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireFileLock, withFileLock } from './file-lock.js';
import { isPodctlError } from './errors.js';

test('the lock is exclusive and released', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pct-lock-'));
  try {
    const path = join(dir, 'a.lock');
    const order: string[] = [];
    await Promise.all([
      withFileLock(path, async () => {
        order.push('1 in');
        await new Promise((r) => setTimeout(r, 50));
        order.push('1 out');
      }),
      (async () => {
        await new Promise((r) => setTimeout(r, 5));
        await withFileLock(path, async () => {
          order.push('2 in');
        });
      })(),
    ]);
    assert.deepEqual(order, ['1 in', '1 out', '2 in']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a lock left by a dead process is taken over; a live one times out clearly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pct-lock-'));
  try {
    const path = join(dir, 'b.lock');
    await writeFile(path, '999999999 123\n');
    const lock = await acquireFileLock(path, { timeoutMs: 500 });
    assert.match(await readFile(path, 'utf8'), new RegExp(`^${process.pid} `));
    await assert.rejects(acquireFileLock(path, { timeoutMs: 100, what: 'pod web' }), (err) => isPodctlError(err, 'LOCKED') && /pod web is busy/.test(err.message));
    await lock.release();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
