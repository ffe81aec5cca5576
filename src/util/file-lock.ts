/**
 * A cross-process exclusive lock on a file path, held as a kernel lock on an open file
 * (fcntl open-file-description locks, through fs-native-extensions). The kernel records the
 * owner and drops the lock the moment its process dies, so no kill point can leave a lock that
 * nobody holds yet nobody may take: a file left by a killed podctl is just a file, and the next
 * caller locks it at once. The holder's pid is also written into the file, for error messages only.
 *
 * Invariant: the holder holds the kernel lock on the inode that is at `path` right now. A waiter
 * that locked an inode someone unlinked meanwhile sees the mismatch and tries again, and only a
 * holder ever unlinks the path, so two holders are impossible.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { open, stat, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import { tryLock } from 'fs-native-extensions';
import { ensurePrivateDir } from './atomic-file.js';
import { PodctlError, errnoOf } from './errors.js';

export interface FileLock extends AsyncDisposable {
  readonly path: string;
  /**
   * The locked open file. A child process spawned with it (a CNI plugin) shares the open file
   * description and so the lock: the kernel keeps it until the last holder of it exits, even
   * when this process is killed first.
   */
  readonly fd: number;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another holder before giving up; 0 tries once. */
  timeoutMs?: number;
  /** Named in the error when the wait times out ("pod web", "container abc"). */
  what?: string;
}

/** Tries once: the lock, or undefined when a live process holds it. */
export async function tryFileLock(path: string): Promise<FileLock | undefined> {
  await ensurePrivateDir(dirname(path));
  for (;;) {
    // libuv opens with O_CLOEXEC: a child podctl spawns keeps the lock only when handed `fd` on purpose.
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    let locked = false;
    try {
      locked = tryLock(handle.fd);
    } finally {
      if (!locked) await handle.close();
    }
    if (!locked) return undefined;
    if (await stillAtPath(path, handle)) {
      await handle.truncate(0);
      await handle.write(`${process.pid}\n`, 0);
      return makeLock(path, handle);
    }
    // The previous holder unlinked this inode after we opened it: start over on the new one.
    await handle.close();
  }
}

export async function acquireFileLock(path: string, options: LockOptions = {}): Promise<FileLock> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let delay = 5;
  for (;;) {
    const lock = await tryFileLock(path);
    if (lock) return lock;
    if (Date.now() >= deadline) {
      const holder = (await readFile(path, 'utf8').catch(() => '')).trim();
      throw new PodctlError('LOCKED', `${options.what ?? path} is busy: ${holder ? `podctl process ${holder}` : 'another podctl process'} holds its lock`, {
        hint: 'wait for it to finish (a lock is released the moment its process ends)',
      });
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}

async function stillAtPath(path: string, handle: FileHandle): Promise<boolean> {
  try {
    const [mine, current] = await Promise.all([handle.stat(), stat(path)]);
    return mine.ino === current.ino && mine.dev === current.dev;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Held locks' handles. Node closes a FileHandle nobody references when it is garbage collected,
 * which would drop the kernel lock under an operation that is only awaiting something: this set
 * keeps every held handle reachable until its release.
 */
const held = new Set<FileHandle>();

function makeLock(path: string, handle: FileHandle): FileLock {
  held.add(handle);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    // Unlink while still holding it (see the invariant above), then let go.
    try {
      await unlink(path);
    } finally {
      held.delete(handle);
      await handle.close();
    }
  };
  return { path, fd: handle.fd, release, [Symbol.asyncDispose]: release };
}

export async function withFileLock<T>(path: string, fn: (lock: FileLock) => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(path, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
