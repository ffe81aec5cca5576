import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import tar from 'tar-stream';
import { isPodctlError } from '../util/errors.js';
import { buildPauseImage, DEFAULT_PAUSE_IMAGE, checkLocalImageName } from './pause-image.js';

interface ImportCall {
  tar: Buffer;
  opts: Record<string, unknown>;
}

/** A Docker stand-in that records the import and answers with the given progress lines. */
function fakeDocker(answer: object[], calls: ImportCall[]): Dockerode {
  return {
    async importImage(file: NodeJS.ReadableStream, opts: Record<string, unknown>) {
      const chunks: Buffer[] = [];
      for await (const chunk of file) chunks.push(chunk as Buffer);
      calls.push({ tar: Buffer.concat(chunks), opts });
      return Readable.from(answer.map((line) => JSON.stringify(line) + '\n'));
    },
  } as unknown as Dockerode;
}

/** The entries of a tar, read back with tar-stream's extractor. */
async function untar(archive: Buffer): Promise<Array<{ name: string; type: string | null | undefined; mode: number | undefined; data: string }>> {
  const entries: Array<{ name: string; type: string | null | undefined; mode: number | undefined; data: string }> = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      entries.push({ name: header.name, type: header.type, mode: header.mode, data: Buffer.concat(chunks).toString() });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    extract.end(archive);
  });
  return entries;
}

async function tempPauseDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-pause-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('checkLocalImageName takes repo[:tag] with registry ports, never a digest or nothing', () => {
  for (const ok of [DEFAULT_PAUSE_IMAGE, 'pause', 'localhost:5000/pause', 'localhost:5000/pause:1']) checkLocalImageName(ok);
  assert.throws(() => checkLocalImageName('pause@sha256:abc'), (err) => isPodctlError(err, 'INVALID_ARGUMENT'));
  assert.throws(() => checkLocalImageName(''), (err) => isPodctlError(err, 'INVALID_ARGUMENT'));
});

test('imports a rootfs holding only an executable /pause, with ENTRYPOINT /pause', async (t) => {
  const dir = await tempPauseDir(t);
  await writeFile(join(dir, 'pause'), 'not really an ELF');
  const calls: ImportCall[] = [];
  await buildPauseImage(fakeDocker([{ status: 'sha256:0123' }], calls), 'localhost/x:1', { pauseDir: dir });

  assert.equal(calls.length, 1);
  const { tar, opts } = calls[0]!;
  assert.deepEqual(opts, { repo: 'localhost/x:1', changes: ['ENTRYPOINT ["/pause"]'] });
  const entries = await untar(tar);
  assert.deepEqual(entries, [{ name: 'pause', type: 'file', mode: 0o755, data: 'not really an ELF' }], 'the rootfs holds /pause and nothing else');
});

test('an error inside the engine progress stream fails the build', async (t) => {
  const dir = await tempPauseDir(t);
  await writeFile(join(dir, 'pause'), 'x');
  const docker = fakeDocker([{ error: 'disk full', errorDetail: { message: 'disk full' } }], []);
  await assert.rejects(buildPauseImage(docker, 'localhost/x:1', { pauseDir: dir }), (err) => {
    assert.ok(isPodctlError(err, 'INTERNAL'));
    assert.match(err.message, /disk full/);
    return true;
  });
});

test('without a prebuilt binary or a compiler, the error says which packages to install', async (t) => {
  const dir = await tempPauseDir(t);
  const calls: ImportCall[] = [];
  const build = buildPauseImage(fakeDocker([], calls), 'localhost/x:1', {
    pauseDir: dir,
    compiler: 'podctl-test-no-such-compiler',
  });
  await assert.rejects(build, (err) => {
    assert.ok(isPodctlError(err, 'FAILED_PRECONDITION'));
    assert.equal(err.hint, 'apt-get install gcc libc6-dev');
    return true;
  });
  assert.equal(calls.length, 0);
});
