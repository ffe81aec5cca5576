import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, strayTempFiles, writeJsonAtomic } from '../../util/atomic-file.js';
import { errnoOf } from '../../util/errors.js';

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
  };
  [field: string]: unknown;
}

/** The kinds podctl keeps as records of its own (pods are Docker containers plus checkpoints). */
export const STORED_KINDS = ['Namespace', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job'] as const;
export type StoredKind = (typeof STORED_KINDS)[number];

export const CLUSTER_SCOPED = new Set<string>(['Namespace']);

/**
 * One JSON file per object, `<stateDir>/objects/<kind>/<namespace>_<name>.json`, written
 * atomically and 0600 (Secrets are among them), so a crash never leaves half a record and
 * `podctl gc` knows where everything is.
 */
export class ObjectStore {
  constructor(readonly stateDir: string) {}

  private dir(kind: string): string {
    return join(this.stateDir, 'objects', kind.toLowerCase());
  }

  private path(kind: string, namespace: string | undefined, name: string): string {
    return join(this.dir(kind), `${CLUSTER_SCOPED.has(kind) ? '' : namespace}_${name}.json`);
  }

  get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    return readJsonIfExists<T>(this.path(kind, namespace, name));
  }

  async put(obj: KubeObject): Promise<void> {
    await writeJsonAtomic(this.path(obj.kind, obj.metadata.namespace, obj.metadata.name), obj);
  }

  async remove(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    const path = this.path(kind, namespace, name);
    const existed = (await readJsonIfExists(path)) !== undefined;
    await rm(path, { force: true });
    return existed;
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
    return (await Promise.all(kinds.map((kind) => strayTempFiles(join(root, kind))))).flat();
  }
}
