import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoOf } from '../../util/errors.js';
import type { KubeObject } from './store.js';

/**
 * The store's change log: every write of the object store, in resourceVersion order, as one
 * JSON line, appended (and fdatasync'd) under the store's lock before the record itself is
 * written. It is what a watch reads, whichever process wrote: a podctl command writes records
 * directly, serve tails this file.
 *
 * Write-ahead: the line is the commit point. A writer killed after its line and before its
 * record leaves a record one change behind; the next writer (any process, under the lock)
 * finishes it first from the line (`lastChange` + the store's redo). A writer killed mid-line
 * leaves a line without its newline, which never committed: it is cut off.
 *
 * Bounded: past `SEGMENT_BYTES` the file is renamed `changes.1.log` (replacing the one before)
 * and the next write starts a new one. Each file opens with a header line naming its floor, the
 * last resourceVersion before its first change: a change after the floor of the older file is
 * in one of the two, an older one is gone (a watch from there gets 410 Gone).
 */
export interface Change {
  /** The store's resourceVersion of the change (the object's metadata.resourceVersion). */
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object after the change; for DELETED, as it was last, with the deletion's resourceVersion. */
  object: KubeObject;
  /** For objects that are not records (pods, services): the Table row podctl get prints, kept beside the object. */
  row?: string[];
  /** A change serve observed (`ObjectStore.observe`): no record follows it. */
  observed?: true;
}

export const SEGMENT_BYTES = 1 << 20;
const CURRENT = 'changes.log';
const OLDER = 'changes.1.log';

export const changeLogPaths = (objectsDir: string) => ({ current: join(objectsDir, CURRENT), older: join(objectsDir, OLDER) });

/** One segment's text: its floor (the header) and its complete changes; a torn last line is not one. */
export function parseSegment(text: string): { floor: number; changes: Change[] } {
  const lines = text.split('\n');
  // The part after the last newline never committed.
  lines.pop();
  let floor = 0;
  const changes: Change[] = [];
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    const parsed = JSON.parse(line) as Change | { floor: number };
    if (i === 0 && 'floor' in parsed) floor = parsed.floor;
    else changes.push(parsed as Change);
  }
  return { floor, changes };
}

export class ChangeLog {
  readonly current: string;
  readonly older: string;

  constructor(objectsDir: string, private readonly segmentBytes = SEGMENT_BYTES) {
    ({ current: this.current, older: this.older } = changeLogPaths(objectsDir));
  }

  /**
   * Appends one change (the caller holds the store's lock). A new file starts with its floor:
   * everything up to `change.rv - 1` is in the older file or was never given out.
   */
  async append(change: Change): Promise<void> {
    const handle = await open(this.current, 'a', 0o600);
    let size: number;
    try {
      const header = (await handle.stat()).size === 0 ? JSON.stringify({ floor: change.rv - 1 }) + '\n' : '';
      await handle.write(header + JSON.stringify(change) + '\n');
      await handle.datasync();
      size = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    if (size >= this.segmentBytes) await rename(this.current, this.older);
  }

  /**
   * The last committed change, for the store to finish (its record may lag); a torn last line
   * (a writer killed mid-append) is cut off first. Undefined when the log is empty or gone.
   */
  async lastChange(): Promise<Change | undefined> {
    let handle;
    try {
      handle = await open(this.current, 'r+');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const { size } = await handle.stat();
      // Read back from the end far enough to hold the last whole line (objects are small; a big ConfigMap takes more rounds).
      for (let span = Math.min(size, 64 * 1024); ; span = Math.min(size, span * 4)) {
        const buf = Buffer.alloc(span);
        await handle.read(buf, 0, span, size - span);
        const end = buf.lastIndexOf(0x0a);
        if (end < 0 && span < size) continue;
        if (end !== span - 1) {
          // A line without its newline never committed.
          await handle.truncate(size - span + end + 1);
          await handle.datasync();
        }
        if (end < 0) return undefined;
        const start = buf.lastIndexOf(0x0a, end - 1);
        if (start < 0 && span < size) continue;
        const line = buf.subarray(start + 1, end).toString('utf8');
        const parsed = JSON.parse(line) as Change | { floor: number };
        return 'floor' in parsed ? undefined : parsed;
      }
    } finally {
      await handle.close();
    }
  }
}
