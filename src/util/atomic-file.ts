import { mkdir, open, readdir, rename, rm, readFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { errnoOf } from './errors.js';
import { processAlive } from './process-alive.js';

/** Creates `dir` (and parents) with mode 0700 when missing. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

export interface AtomicWriteOptions {
  mode?: number;
  /**
   * Also fsync the file and its directory, so the write survives a power loss, not only a
   * crash of the process. Costs milliseconds per write; podctl asks for it where a record
   * must outlive a reboot (the CNI cache), not for pod checkpoints, which describe
   * namespaces and veths that a power loss takes away anyway.
   */
  durable?: boolean;
}

/**
 * Writes a file so that readers see either the old or the new content, never a torn one,
 * even if the process is killed mid-write: temp file in the same directory, then rename.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await ensurePrivateDir(dir);
  const tmp = join(dir, tempName(basename(path), process.pid));
  const handle = await open(tmp, 'wx', options.mode ?? 0o600);
  try {
    await handle.writeFile(data);
    if (options.durable) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (!options.durable) return;
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/** `.<name>.<writer's pid>.<time>.tmp`: hidden, and naming its writer so a kill's leftover can be told apart. */
const tempName = (name: string, pid: number) => `.${name}.${pid}.${Date.now().toString(36)}.tmp`;
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-z]+\.tmp$/;

/** The temp files in `dir` that a writeFileAtomic killed mid-write left: their writer is gone. */
export async function strayTempFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => {
    const writer = TEMP_NAME.exec(name)?.[1];
    return writer !== undefined && !processAlive(Number(writer));
  }).map((name) => join(dir, name));
}

export async function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', options);
}

/** A file's text; `undefined` when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Reads and parses a JSON file; `undefined` when it does not exist. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  return JSON.parse(text) as T;
}

export async function removeIfExists(path: string): Promise<void> {
  await rm(path, { force: true });
}
