import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rewriteInPlace, withoutPadding } from './rewrite-in-place.js';

const base = '127.0.0.1\tlocalhost\n';

describe('rewriteInPlace', () => {
  it('keeps the inode and a size that never shrinks; withoutPadding gives the text back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pct-rewrite-'));
    try {
      const path = join(dir, 'hosts');
      await writeFile(path, '');
      const { ino } = await stat(path);
      await rewriteInPlace(path, base + '10.96.0.1\tweb\n');
      const size = (await stat(path)).size;
      assert.equal(size, Buffer.byteLength(base + '10.96.0.1\tweb\n'));
      await rewriteInPlace(path, base);
      const short = await readFile(path, 'utf8');
      assert.equal(Buffer.byteLength(short), size, 'the same size as before');
      assert.match(short, /^127\.0\.0\.1\tlocalhost\n +\n$/, 'one blank line of padding');
      assert.equal(withoutPadding(short), base);
      const long = base + '10.96.0.2\tdb.default.svc.cluster.local db.default.svc db.default db\n'.repeat(80);
      await rewriteInPlace(path, long);
      assert.equal(await readFile(path, 'utf8'), long, 'grown to exactly the new text');
      await rewriteInPlace(path, base);
      assert.equal((await stat(path)).size, Buffer.byteLength(long), 'never shrinks');
      assert.equal((await stat(path)).ino, ino, 'the same inode: bind mounts see the new text');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates a missing file; withoutPadding leaves unpadded text as it is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pct-rewrite-'));
    try {
      const path = join(dir, 'resolv.conf');
      await rewriteInPlace(path, 'nameserver 10.96.0.10\n');
      assert.equal(await readFile(path, 'utf8'), 'nameserver 10.96.0.10\n');
      await rewriteInPlace(path, 'nameserver 10.96.0.1\n');
      assert.equal(await readFile(path, 'utf8'), 'nameserver 10.96.0.1\n\n', 'one byte short: padded with a newline');
      assert.equal(withoutPadding('a\n  \n\n'), 'a\n');
      assert.equal(withoutPadding('a\nb'), 'a\nb');
      assert.equal(withoutPadding(''), '');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
