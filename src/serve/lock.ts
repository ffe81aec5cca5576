import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PodctlError } from '../util/errors.js';
import { tryFileLock, type FileLock } from '../util/file-lock.js';

/**
 * One serve per host: a kernel lock on `<runDir>/serve.lock` (/run/podctl), held for the
 * process's life and dropped by the kernel the moment it ends, however it ends.
 */
export async function holdServeLock(runDir: string): Promise<FileLock> {
  const path = join(runDir, 'serve.lock');
  const lock = await tryFileLock(path);
  if (lock) return lock;
  const holder = (await readFile(path, 'utf8').catch(() => '')).trim();
  throw new PodctlError('LOCKED', `podctl serve already runs on this host${holder ? ` (process ${holder})` : ''}`, { hint: 'one serve keeps the whole host; stop it (SIGTERM) before starting another' });
}
