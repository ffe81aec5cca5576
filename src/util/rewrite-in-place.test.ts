import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rewriteInPlace, withoutPadding } from './rewrite-in-place.js';

describe('rewriteInPlace', () => {
  it('keeps the inode, never shrinks the file, and pads with a blank line that withoutPadding takes off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pct-rewrite-'));
    try {
      const path = join(dir, 'hosts');
      await writeFile(path, '127.0.0.1\tlocalhost\n10.96.0.1\tweb.default.svc.cluster.local web\n');
      const { ino, size } = await stat(path);
      await rewriteInPlace(path, '127.0.0.1\tlocalhost\n');
      const short = await readFile(path, 'utf8');
      assert.equal(Buffer.byteLength(short), size, 'the same size as before');
      assert.match(short, /^127\.0\.0\.1\tlocalhost\n {2,}\n$/);
      assert.equal(withoutPadding(short), '127.0.0.1\tlocalhost\n');
      const long = '127.0.0.1\tlocalhost\n' + '10.96.0.2\tdb.default.svc.cluster.local db.default.svc db.default db\n'.repeat(3);
      await rewriteInPlace(path, long);
      assert.equal(await readFile(path, 'utf8'), long, 'grown to exactly the new content');
      assert.equal((await stat(path)).ino, ino, 'the same inode: bind mounts see the new text');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates a missing file and leaves one-byte padding as a newline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pct-rewrite-'));
    try {
      const path = join(dir, 'resolv.conf');
      await rewriteInPlace(path, 'nameserver 10.96.0.10\n');
      assert.equal(await readFile(path, 'utf8'), 'nameserver 10.96.0.10\n');
      await rewriteInPlace(path, 'nameserver 10.96.0.1\n');
      assert.equal(await readFile(path, 'utf8'), 'nameserver 10.96.0.1\n\n');
      assert.equal(withoutPadding('a\n  \n\n'), 'a\n');
      assert.equal(withoutPadding(''), '');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
