import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { PodctlError, invalidArgument } from '../util/errors.js';
import { isMissingProgram, runProgram } from '../util/run-command.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { packageRoot } from '../util/paths.js';
import { dockerMessage, wrapDockerError } from './client.js';

/**
 * podctl's own pause image, built locally (`FROM scratch` + one static binary). The
 * `localhost/` registry part means a pull of it can never reach a real registry by accident.
 */
export const DEFAULT_PAUSE_IMAGE = 'localhost/podctl-pause:3.10';

export interface BuildPauseImageOptions {
  logger?: Logger;
  /** Where `pause` (prebuilt) and `pause.c` live; default `<package root>/images/pause`. */
  pauseDir?: string;
  /** The C compiler to use when the prebuilt binary is absent; default `cc`. */
  compiler?: string;
}

/** Builds the pause image from the prebuilt (or freshly compiled) binary and tags it `image`. */
export async function buildPauseImage(
  docker: Dockerode,
  image: string,
  opts: BuildPauseImageOptions = {},
): Promise<void> {
  const logger = opts.logger ?? silentLogger;
  const pauseDir = opts.pauseDir ?? join(packageRoot(), 'images', 'pause');
  const binary = await loadPauseBinary(pauseDir, opts.compiler ?? 'cc', logger);
  logger.info('importing pause image', { image, bytes: binary.length });
  await importRootfsImage(docker, await rootfsOf(binary), image, ['ENTRYPOINT ["/pause"]']);
}

/** A tar holding only an executable /pause (mtime the epoch: the same binary, the same bytes). */
async function rootfsOf(binary: Buffer): Promise<Buffer> {
  const { default: tar } = await import('tar-stream'); // only when the image is built: keep start-up lean
  const pack = tar.pack();
  pack.entry({ name: 'pause', mode: 0o755, mtime: new Date(0) }, binary);
  pack.finalize();
  return readAll(pack);
}

async function loadPauseBinary(pauseDir: string, compiler: string, logger: Logger): Promise<Buffer> {
  const prebuilt = join(pauseDir, 'pause');
  if (existsSync(prebuilt)) return readFile(prebuilt);
  const tempDir = await mkdtemp(join(tmpdir(), 'podctl-pause-'));
  try {
    const output = join(tempDir, 'pause');
    logger.info('compiling pause', { source: join(pauseDir, 'pause.c') });
    await compileStatic(compiler, join(pauseDir, 'pause.c'), output);
    return await readFile(output);
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

async function compileStatic(compiler: string, source: string, output: string): Promise<void> {
  let result;
  try {
    result = await runProgram(compiler, ['-static', '-Os', '-s', '-o', output, source], { timeoutMs: 120_000 });
  } catch (err) {
    if (!isMissingProgram(err)) throw err;
    throw new PodctlError('FAILED_PRECONDITION', `cannot build the pause image: no C compiler (${compiler})`, {
      hint: 'apt-get install gcc libc6-dev',
      cause: err,
    });
  }
  if (result.exitCode !== 0) {
    throw new PodctlError('INTERNAL', `compiling ${source} failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}`, {
      hint: 'a static build needs libc6-dev: apt-get install gcc libc6-dev',
    });
  }
}

/**
 * Imports a root filesystem tar as image `image` (Engine API `POST /images/create?fromSrc=-`),
 * applying Dockerfile-style `changes` such as `ENTRYPOINT [...]`.
 */
export async function importRootfsImage(
  docker: Dockerode,
  rootfs: Buffer,
  image: string,
  changes: readonly string[],
): Promise<void> {
  checkLocalImageName(image);
  let response: NodeJS.ReadableStream;
  try {
    // The tag goes inside `repo`: podman's compat import ignores the `tag` parameter (and
    // would name the image repo:latest); dockerd reads a tagged repo the same way.
    response = await docker.importImage(Readable.from([rootfs]), { repo: image, changes: [...changes] });
  } catch (err) {
    const wrapped = wrapDockerError(err, `import image ${image}`);
    if (wrapped !== err) throw wrapped;
    throw new PodctlError('INTERNAL', `importing image ${image} failed: ${dockerMessage(err)}`, { cause: err });
  }
  // The engine answers 200 and reports failures inside the JSON progress stream.
  const failure = firstStreamError((await readAll(response)).toString('utf8'));
  if (failure !== undefined) {
    throw new PodctlError('INTERNAL', `importing image ${image} failed: ${failure}`);
  }
}

/** A local build needs a name (`repo[:tag]`, a registry port allowed), never a digest. */
export function checkLocalImageName(image: string): void {
  if (image === '' || image.includes('@') || /\s/.test(image)) {
    throw invalidArgument(`invalid image name for a local build: ${JSON.stringify(image)}`, 'use repo[:tag]');
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function firstStreamError(text: string): string | undefined {
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let message: { error?: unknown; errorDetail?: { message?: unknown } };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return `unexpected answer from the engine: ${line.slice(0, 200)}`;
    }
    if (message.error !== undefined) return String(message.errorDetail?.message ?? message.error);
  }
  return undefined;
}
