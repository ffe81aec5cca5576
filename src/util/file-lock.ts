import { setTimeout as sleep } from 'node:timers/promises';
import { open, readFile, rename, rm, link } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir } from './atomic-file.js';
import { PodctlError, errnoOf } from './errors.js';

/**
 * A cross-process exclusive lock on a file path. Node has no flock(2), so the lock is a
 * file created with O_EXCL that holds the owner's pid and process start time; a lock
 * whose owner is gone (crashed podctl) is taken over, so a SIGKILL never wedges a pod.
 */
export interface FileLock extends AsyncDisposable {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number;
  /** Named in the error when the wait times out ("pod web", "container abc"). */
  what?: string;
}

const ownerToken = (): string => `${process.pid} ${processStartTime(process.pid) ?? ''}`;

/** Field 22 of /proc/<pid>/stat: start time in clock ticks; tells a reused pid apart. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function ownerAlive(token: string): boolean {
  const [pidText, start] = token.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const current = processStartTime(pid);
  return current !== undefined && (start === undefined || start === '' || current === start);
}


export async function acquireFileLock(path: string, options: LockOptions = {}): Promise<FileLock> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const token = ownerToken();
  await ensurePrivateDir(dirname(path));
  let delay = 5;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(token + '\n');
      } finally {
        await handle.close();
      }
      return makeLock(path, token);
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') throw err;
    }
    if (await takeOverIfStale(path)) continue;
    if (Date.now() >= deadline) {
      throw new PodctlError('LOCKED', `${options.what ?? path} is busy: another podctl process holds its lock`, {
        hint: `wait for it to finish, or remove ${path} if no podctl process is running`,
      });
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}

/** Removes a lock whose owner died. Returns true when the caller should try again at once. */
async function takeOverIfStale(path: string): Promise<boolean> {
  let holder: string;
  try {
    holder = await readFile(path, 'utf8');
  } catch (err) {
    return errnoOf(err) === 'ENOENT';
  }
  // An owner writes its token right after creating the file: empty means "being created".
  if (holder.trim() === '' || ownerAlive(holder)) return false;
  // Move the stale file aside atomically; if what we moved turns out to be a live lock that
  // won the race since our read, put it back.
  const aside = `${path}.stale.${process.pid}`;
  try {
    await rename(path, aside);
  } catch (err) {
    return errnoOf(err) === 'ENOENT';
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved.trim() !== '' && moved !== holder && ownerAlive(moved)) {
    await link(aside, path).catch(() => undefined);
  }
  await rm(aside, { force: true });
  return true;
}

function makeLock(path: string, token: string): FileLock {
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    // Only remove the file if it is still ours (a takeover never steals a live lock, but be sure).
    const current = await readFile(path, 'utf8').catch(() => '');
    if (current.trim() === token.trim()) await rm(path, { force: true });
  };
  return { path, release, [Symbol.asyncDispose]: release };
}

export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(path, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
