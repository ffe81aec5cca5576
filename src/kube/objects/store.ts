import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { readJsonIfExists, strayTempFiles, writeJsonAtomic } from '../../util/atomic-file.js';
import { PodctlError, errnoOf } from '../../util/errors.js';
import { withFileLock } from '../../util/file-lock.js';
import { ChangeLog, type Change } from './change-log.js';

/** A Kubernetes object as podctl keeps it: the applied manifest, normalised, plus what podctl records in `status`. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    generation?: number;
    uid?: string;
    resourceVersion?: string;
    ownerReferences?: OwnerReference[];
    /** Set when a deletion that keeps the object a while began (Foreground, Orphan): see kinds/workloads.ts deleteWorkload. */
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    /** What must happen before the object goes (foregroundDeletion, orphan). */
    finalizers?: string[];
  };
  [field: string]: unknown;
}

/** The kinds podctl keeps as records of its own (pods are Docker containers plus checkpoints). */
export const STORED_KINDS = ['Namespace', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'ServiceAccount', 'Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job'] as const;
export type StoredKind = (typeof STORED_KINDS)[number];

export const CLUSTER_SCOPED = new Set<string>(['Namespace']);

/** The object without what the store itself sets (uid, resourceVersion): what a no-op re-apply compares. */
export function withoutStoreFields(obj: KubeObject): KubeObject {
  const { uid: _uid, resourceVersion: _rv, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/**
 * One object a write may only change while it still has the resourceVersion its writer read,
 * and (a delete's precondition) while it is still the object of that uid.
 */
export interface Precondition {
  kind: string;
  namespace?: string;
  name: string;
  resourceVersion?: string;
  uid?: string;
}

/** Which field of a precondition did not hold, what it asked for and what the object has (undefined: it is gone). */
export interface FailedPrecondition {
  field: 'UID' | 'ResourceVersion';
  expected: string;
  actual: string | undefined;
}

/**
 * The write of an object that no longer is what its writer read (the API's 409 Conflict).
 * FAILED_PRECONDITION with `details.conflict` naming the object and `details.precondition` the
 * field, so the API tells it from the other refusals of a write.
 */
export function staleWriteError(p: Precondition, failed: FailedPrecondition): PodctlError {
  const what = failed.field === 'UID' ? `is no longer the object of uid ${failed.expected}` : `was changed since resourceVersion ${failed.expected}`;
  return new PodctlError('FAILED_PRECONDITION', `${p.kind.toLowerCase()} ${p.name} ${what} (${failed.actual === undefined ? 'it is gone' : `now ${failed.actual}`})`, {
    hint: 'read it again and apply your change to what it is now',
    details: { conflict: { kind: p.kind, namespace: p.namespace, name: p.name }, precondition: failed },
  });
}

/**
 * One JSON file per object, `<stateDir>/objects/<kind>/<namespace>_<name>.json`, written
 * atomically and 0600 (Secrets are among them), so a crash never leaves half a record and
 * `podctl gc` knows where everything is.
 *
 * Every write and removal takes the store's one lock and bumps its one counter
 * (`<stateDir>/objects/resource-version`, written before the record): resourceVersions only
 * grow, across processes and restarts, as an API server's do. The store keeps the identity
 * fields itself: `uid` and `creationTimestamp` are set at create and survive every later put.
 */
export class ObjectStore {
  /** The change log every write goes through first (what watches read). */
  readonly log: ChangeLog;
  /** Set once the object of the precondition was removed: a later write of that name (a delete's undo) is not held to it. */
  private preconditionSpent = false;

  constructor(
    readonly stateDir: string,
    private readonly precondition?: Precondition,
  ) {
    this.log = new ChangeLog(join(stateDir, 'objects'));
  }

  /**
   * A store over the same records whose writes of one object happen only while it still has
   * `resourceVersion` (checked under the store's lock, with the write: no other writer, in
   * this process or another, can come between). Each of its own writes moves the expected
   * version on, so a write in steps is checked against others only.
   */
  expecting(precondition: Precondition): ObjectStore {
    return new ObjectStore(this.stateDir, { ...precondition });
  }

  /** Throws the stale write error when `existing` is the object of the precondition and has moved on; true when it is that object. */
  private checkPrecondition(kind: string, namespace: string | undefined, name: string, existing: KubeObject | undefined): boolean {
    const p = this.precondition;
    if (!p || this.preconditionSpent || p.kind !== kind || p.name !== name || (!CLUSTER_SCOPED.has(kind) && p.namespace !== namespace)) return false;
    if (p.uid !== undefined && existing?.metadata.uid !== p.uid) throw staleWriteError(p, { field: 'UID', expected: p.uid, actual: existing?.metadata.uid });
    if (p.resourceVersion !== undefined && existing?.metadata.resourceVersion !== p.resourceVersion) throw staleWriteError(p, { field: 'ResourceVersion', expected: p.resourceVersion, actual: existing?.metadata.resourceVersion });
    return true;
  }

  private dir(kind: string): string {
    return join(this.stateDir, 'objects', kind.toLowerCase());
  }

  private path(kind: string, namespace: string | undefined, name: string): string {
    return join(this.dir(kind), `${CLUSTER_SCOPED.has(kind) ? '' : namespace}_${name}.json`);
  }

  /** The API's managedFields of the object (api/apply/managed-store.ts): beside the record, removed with it. */
  managedFieldsPath(kind: string, namespace: string | undefined, name: string): string {
    return this.path(kind, namespace, name).replace(/\.json$/, '.managed-fields');
  }

  get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    return readJsonIfExists<T>(this.path(kind, namespace, name));
  }

  /** Writes the object; what it was stored as (uid, creationTimestamp, resourceVersion filled in). */
  put<T extends KubeObject>(obj: T): Promise<T> {
    const path = this.path(obj.kind, obj.metadata.namespace, obj.metadata.name);
    return this.locked(async (resourceVersion) => {
      const existing = await readJsonIfExists<KubeObject>(path);
      const checked = this.checkPrecondition(obj.kind, obj.metadata.namespace, obj.metadata.name, existing);
      const metadata = {
        ...obj.metadata,
        uid: existing?.metadata.uid ?? obj.metadata.uid ?? randomUUID(),
        creationTimestamp: existing?.metadata.creationTimestamp ?? obj.metadata.creationTimestamp ?? new Date().toISOString(),
        resourceVersion,
      };
      const stored = { ...obj, metadata };
      // The log line first: it is the commit, the record follows (finishLastChange redoes it after a kill).
      await this.log.append({ rv: Number(resourceVersion), type: existing ? 'MODIFIED' : 'ADDED', object: stored });
      await writeJsonAtomic(path, stored);
      if (checked && this.precondition!.resourceVersion !== undefined) this.precondition!.resourceVersion = resourceVersion;
      return stored;
    });
  }

  async remove(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    const path = this.path(kind, namespace, name);
    return this.locked(async (resourceVersion) => {
      const existing = await readJsonIfExists<KubeObject>(path);
      if (this.checkPrecondition(kind, namespace, name, existing)) this.preconditionSpent = true;
      const existed = existing !== undefined;
      // A DELETED change carries the object as it was last, with the deletion's resourceVersion.
      if (existing) await this.log.append({ rv: Number(resourceVersion), type: 'DELETED', object: { ...existing, metadata: { ...existing.metadata, resourceVersion } } });
      await rm(path, { force: true });
      await rm(this.managedFieldsPath(kind, namespace, name), { force: true });
      // A writer killed mid-write (serve's kill -9) left its temp file beside the record: it goes too.
      const prefix = `.${basename(path)}.`;
      for (const stray of await strayTempFiles(dirname(path))) if (basename(stray).startsWith(prefix)) await rm(stray, { force: true });
      return existed;
    });
  }

  /**
   * Records a change of an object that is not a record here (a pod, a Service: serve observes
   * them): it gets the next resourceVersion and its place in the change log, so one watch
   * orders it among the records' changes. The object as logged (resourceVersion set).
   */
  observe(type: Change['type'], object: KubeObject, row?: string[]): Promise<KubeObject> {
    return this.locked(async (resourceVersion) => {
      const logged = { ...object, metadata: { ...object.metadata, resourceVersion } };
      await this.log.append({ rv: Number(resourceVersion), type, object: logged, ...(row ? { row } : {}), observed: true });
      return logged;
    });
  }

  /**
   * The record of the last logged change, written or removed if its writer was killed between
   * the log line and the record (run under the lock, before the next change).
   */
  private async finishLastChange(): Promise<void> {
    const last = await this.log.lastChange();
    // An observed change has no record to finish, even of a kind that also has records (a ReplicaSet).
    if (!last || last.observed || !(STORED_KINDS as readonly string[]).includes(last.object.kind)) return;
    const { kind, metadata } = last.object;
    const path = this.path(kind, metadata.namespace, metadata.name);
    const record = await readJsonIfExists<KubeObject>(path);
    const recordRv = Number(record?.metadata.resourceVersion ?? 0);
    if (last.type === 'DELETED' && record && recordRv <= last.rv) await rm(path, { force: true });
    if (last.type !== 'DELETED' && recordRv < last.rv) await writeJsonAtomic(path, last.object);
  }

  /**
   * Waits until no write is under way, then makes sure the last logged change is in its
   * record (a writer killed between the two is finished): after it, a read sees every change
   * logged before the call. The log line comes before the record, so a reader that heard of
   * a change from the log may otherwise read the record as it was.
   */
  settle(): Promise<void> {
    const run = this.queue.then(() => this.withWriteLock(() => this.finishLastChange()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The last resourceVersion the store gave out ("0" before the first write). */
  async resourceVersion(): Promise<string> {
    return String((await readJsonIfExists<number>(this.counterPath())) ?? 0);
  }

  private counterPath(): string {
    return join(this.stateDir, 'objects', 'resource-version');
  }

  /** Runs `fn` under the store's lock with the next resourceVersion, already recorded. */
  private locked<T>(fn: (resourceVersion: string) => Promise<T>): Promise<T> {
    // Writers of this process queue here, so only one of them at a time polls the kernel lock.
    const run = this.queue.then(() => this.lockedAcrossProcesses(fn));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private queue: Promise<void> = Promise.resolve();

  private lockedAcrossProcesses<T>(fn: (resourceVersion: string) => Promise<T>): Promise<T> {
    return this.withWriteLock(async () => {
      await this.finishLastChange();
      const next = ((await readJsonIfExists<number>(this.counterPath())) ?? 0) + 1;
      // The counter first: a crash between the two writes skips a number, never repeats one.
      await writeJsonAtomic(this.counterPath(), next, { durable: true });
      return fn(String(next));
    });
  }

  /** The store's one kernel lock, across processes: every write and `settle` hold it. */
  private withWriteLock<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.stateDir, 'objects', '.write.lock'), fn, { what: 'the object store', timeoutMs: 30_000 });
  }

  /** Every object of a kind, in one namespace or (undefined) all, sorted by namespace and name. */
  async list<T extends KubeObject = KubeObject>(kind: string, namespace?: string): Promise<T[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir(kind))).filter((n) => n.endsWith('.json')).sort();
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return [];
      throw err;
    }
    const all: Array<T | undefined> = await Promise.all(names.map((n) => readJsonIfExists<T>(join(this.dir(kind), n))));
    return all.filter((o): o is T => o !== undefined && (namespace === undefined || CLUSTER_SCOPED.has(kind) || o.metadata.namespace === namespace));
  }

  /**
   * The temp files of record writes whose process was killed mid-write (serve or a command
   * under `kill -9`): their writer is gone, the record is the old one or none. Removed by
   * `podctl gc` and by serve when it starts.
   */
  async strayWrites(): Promise<string[]> {
    const root = join(this.stateDir, 'objects');
    const kinds = await readdir(root).catch(() => [] as string[]);
    // The resourceVersion counter lives in the root, the records in a folder per kind.
    return (await Promise.all([root, ...kinds.map((kind) => join(root, kind))].map((dir) => strayTempFiles(dir)))).flat();
  }
}
