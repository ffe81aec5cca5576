import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { packTar, type TarEntry } from './tar.js';

/** Packs the entries, then lets the system's tar list and extract them in a temp dir. */
async function roundTrip(entries: TarEntry[], t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-tar-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const archive = join(dir, 'out.tar');
  await writeFile(archive, packTar(entries));
  const root = join(dir, 'root');
  await mkdir(root);
  const listing = await execa('tar', ['--numeric-owner', '-tvf', archive]);
  await execa('tar', ['--same-owner', '--same-permissions', '-xf', archive, '-C', root]);
  return { root, listing: listing.stdout.split('\n') };
}

test('files, directories and symlinks survive a round trip through tar', async (t) => {
  const { root, listing } = await roundTrip(
    [
      { type: 'directory', path: 'etc', mode: 0o750, uid: 0, gid: 0 },
      { type: 'file', path: '/etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n', uid: 33, gid: 44 },
      { type: 'file', path: './pause', data: Buffer.from([0x7f, 0x45, 0x4c, 0x46]), mode: 0o755 },
      { type: 'file', path: 'empty', data: '' },
      { type: 'symlink', path: 'bin/sh', target: '/bin/busybox' },
    ],
    t,
  );
  assert.match(listing[0]!, /^drwxr-x--- 0\/0 .* etc\/$/);
  assert.match(listing[1]!, /^-rw-r--r-- 33\/44 .* etc\/passwd$/);
  assert.match(listing[2]!, /^-rwxr-xr-x 0\/0 .* pause$/);
  assert.match(listing[4]!, /^lrwxrwxrwx 0\/0 .* bin\/sh -> \/bin\/busybox$/);
  assert.equal(await readFile(join(root, 'etc/passwd'), 'utf8'), 'root:x:0:0::/root:/bin/sh\n');
  assert.deepEqual([...(await readFile(join(root, 'pause')))], [0x7f, 0x45, 0x4c, 0x46]);
  assert.equal((await stat(join(root, 'pause'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(root, 'etc/passwd'))).uid, 33);
  assert.equal((await stat(join(root, 'empty'))).size, 0);
  assert.equal(await readlink(join(root, 'bin/sh')), '/bin/busybox');
});

test('data is padded to 512-byte blocks and the archive ends with two zero blocks', () => {
  const archive = packTar([{ type: 'file', path: 'a', data: 'x'.repeat(513) }]);
  assert.equal(archive.length, 512 + 1024 + 1024);
  assert.ok(archive.subarray(archive.length - 1024).every((byte) => byte === 0));
});

test('the same entries give the same bytes (mtime defaults to the epoch)', () => {
  const entries: TarEntry[] = [{ type: 'file', path: 'a', data: 'hello' }];
  assert.deepEqual(packTar(entries), packTar(entries));
});

test('long paths are split into the ustar prefix and name fields', async (t) => {
  const deep = `${'d'.repeat(80)}/${'e'.repeat(60)}/${'f'.repeat(90)}`;
  const { root, listing } = await roundTrip([{ type: 'file', path: deep, data: 'deep' }], t);
  assert.ok(listing[0]!.endsWith(deep));
  assert.equal(await readFile(join(root, deep), 'utf8'), 'deep');
});

test('rejects paths that escape the archive or do not fit ustar', () => {
  assert.throws(() => packTar([{ type: 'file', path: '../etc/passwd', data: '' }]), RangeError);
  assert.throws(() => packTar([{ type: 'directory', path: '/' }]), RangeError);
  assert.throws(() => packTar([{ type: 'file', path: 'x'.repeat(101), data: '' }]), RangeError);
  assert.throws(() => packTar([{ type: 'symlink', path: 'l', target: 't'.repeat(101) }]), RangeError);
});
