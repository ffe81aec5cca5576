import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { ensurePrivateDir, readTextIfExists } from '../../util/atomic-file.js';
import { coalesce } from '../../util/coalesce.js';
import { errnoOf, PodctlError } from '../../util/errors.js';
import { changeLogPaths, parseSegment, type Change } from './change-log.js';
import type { KubeObject } from './store.js';

/** A change as a watcher gets it: with the object as it was before, when the feed knew it. */
export interface FeedEvent extends Change {
  previous?: KubeObject;
}

export interface ChangeFeedOptions {
  /** History kept in memory for watches that resume (the API server's watch cache). */
  maxChanges?: number;
  maxBytes?: number;
  /** Where the history starts when there is no log yet (the store's counter: what came before was never logged). */
  initialFloor?: number;
}

export const objectKey = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** A watch from a resourceVersion the history no longer holds: the API server's 410 Gone (Expired). */
export function expired(rv: number, floor: number): PodctlError {
  return new PodctlError('EXPIRED', `too old resource version: ${rv} (${floor + 1})`);
}

/**
 * The store's changes in one process, in order, from whichever process wrote them: it reads
 * the change log and follows it (inotify on the objects folder wakes it; it reads on from where
 * it was, and follows the file across a rotation). The last changes stay in memory, so a watch
 * can start from a resourceVersion: `subscribe(rv)` replays what came after it and goes on
 * live, or fails with EXPIRED when the history no longer reaches back that far.
 */
export class ChangeFeed {
  /** Every change after this resourceVersion is in the history. */
  floor = 0;
  /** The last resourceVersion the feed has delivered. */
  last = 0;
  private readonly history: Array<{ event: FeedEvent; bytes: number }> = [];
  private historyBytes = 0;
  /** Each object's last change read (the whole log on disk, not only the history kept): its last state. */
  private readonly latest = new Map<string, Change>();
  /** Objects whose last change in the history is their deletion: the resourceVersion of it. */
  private readonly deletions = new Map<string, number>();
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private handle: FileHandle | undefined;
  private ino = 0;
  private offset = 0;
  private partial = '';
  private watcher: FSWatcher | undefined;
  private readonly reading = coalesce(() => this.readOn().catch(this.onError), () => this.closed);
  private closed = false;

  private constructor(
    private readonly paths: { current: string; older: string },
    private readonly maxChanges: number,
    private readonly maxBytes: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  static async open(objectsDir: string, options: ChangeFeedOptions = {}, onError: (err: unknown) => void = () => undefined): Promise<ChangeFeed> {
    await ensurePrivateDir(objectsDir);
    const feed = new ChangeFeed(changeLogPaths(objectsDir), options.maxChanges ?? 5000, options.maxBytes ?? 16 << 20, onError);
    await feed.load(options.initialFloor ?? 0);
    feed.watcher = watch(objectsDir, (_event, file) => {
      if (file === basename(feed.paths.current)) feed.poke();
    });
    feed.watcher.on('error', onError);
    // A change that landed between the load and the watch.
    feed.poke();
    return feed;
  }

  /** Reads what the log gained; calls coalesce, so a burst costs one read or two. */
  poke(): Promise<void> {
    return this.reading();
  }

  /**
   * Calls `listener` with every change after `fromRv` (those in the history at once, in order,
   * then each new one as it is read); EXPIRED when the history starts after `fromRv`.
   */
  subscribe(fromRv: number, listener: (e: FeedEvent) => void): () => void {
    if (fromRv < this.floor) throw expired(fromRv, this.floor);
    for (const { event } of this.history) if (event.rv > fromRv) listener(event);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The resourceVersion of the last change read for an object (`Kind/namespace/name`), and
   * whether it was its deletion; undefined when none is known (a deletion only while the
   * history still holds it).
   */
  lastChangeOf(key: string): { rv: number; deleted: boolean; observed: boolean } | undefined {
    const change = this.latest.get(key);
    if (change) return { rv: change.rv, deleted: false, observed: change.observed === true };
    const deletedAt = this.deletions.get(key);
    return deletedAt === undefined ? undefined : { rv: deletedAt, deleted: true, observed: false };
  }

  /** The last change of every object the log knows and that is not deleted (its state as last logged). */
  lastChanges(): Iterable<Change> {
    return this.latest.values();
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    void this.reading.idle().finally(() => this.handle?.close().catch(() => undefined));
  }

  private async load(initialFloor: number): Promise<void> {
    // Open the current file first: if it is rotated meanwhile, the older one read next is that same file.
    await this.openCurrent();
    const olderText = await readTextIfExists(this.paths.older);
    const olderIno = await stat(this.paths.older).then((s) => s.ino, () => -1);
    const older = olderText !== undefined && olderIno !== this.ino ? parseSegment(olderText) : undefined;
    const current = await this.readChunk();
    // The history starts at the older file's floor, else the current one's; without a log, at the store's counter.
    this.floor = this.last = older?.floor ?? current.header ?? initialFloor;
    for (const c of [...(older?.changes ?? []), ...current.changes]) this.deliver(c);
  }

  private async openCurrent(): Promise<boolean> {
    try {
      this.handle = await open(this.paths.current, 'r');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return false;
      throw err;
    }
    this.ino = (await this.handle.stat()).ino;
    this.offset = 0;
    this.partial = '';
    return true;
  }

  /** The complete lines the open file gained since the last read. */
  private async readChunk(): Promise<{ header?: number; changes: Change[] }> {
    if (!this.handle) return { changes: [] };
    const fromStart = this.offset === 0;
    let text = '';
    const buf = Buffer.alloc(256 * 1024);
    for (;;) {
      const { bytesRead } = await this.handle.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      text += buf.subarray(0, bytesRead).toString('utf8');
    }
    const whole = this.partial + text;
    const cut = whole.lastIndexOf('\n') + 1;
    this.partial = whole.slice(cut);
    const segment = parseSegment(whole.slice(0, cut));
    const header = fromStart && whole.startsWith('{"floor"') ? segment.floor : undefined;
    return { header, changes: segment.changes };
  }

  private async readOn(): Promise<void> {
    if (this.closed) return;
    if (!this.handle && !(await this.openCurrent())) return;
    for (const c of (await this.readChunk()).changes) this.deliver(c);
    // Rotated (renamed away, a new file in its place): the old one is read to its end, then the new one from its start.
    const now = await stat(this.paths.current).then((s) => s.ino, () => -1);
    if (now === this.ino) return;
    await this.handle!.close();
    this.handle = undefined;
    if (now !== -1 && (await this.openCurrent())) for (const c of (await this.readChunk()).changes) this.deliver(c);
  }

  private deliver(change: Change): void {
    // A line read twice (the same file reached by both names around a rotation) is delivered once.
    if (change.rv <= this.last) return;
    const key = objectKey(change.object);
    const previous = this.latest.get(key)?.object;
    if (change.type === 'DELETED') {
      this.latest.delete(key);
      this.deletions.set(key, change.rv);
    } else {
      this.latest.set(key, change);
      this.deletions.delete(key);
    }
    const event: FeedEvent = previous ? { ...change, previous } : change;
    this.last = change.rv;
    const bytes = JSON.stringify(change.object).length;
    this.history.push({ event, bytes });
    this.historyBytes += bytes;
    while (this.history.length > this.maxChanges || (this.historyBytes > this.maxBytes && this.history.length > 1)) {
      const dropped = this.history.shift()!;
      this.historyBytes -= dropped.bytes;
      const droppedKey = objectKey(dropped.event.object);
      if (this.deletions.get(droppedKey) === dropped.event.rv) this.deletions.delete(droppedKey);
      this.floor = dropped.event.rv;
    }
    for (const listener of this.listeners) listener(event);
  }
}

