import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CLUSTER_SCOPED, ObjectStore, STORED_KINDS } from '../../kube/objects/store.js';
import { PodStore } from '../../pod/checkpoint.js';
import { DEFAULT_NAMESPACE } from '../../pod/spec.js';
import { ServiceStore } from '../../service/store.js';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../../util/atomic-file.js';
import type { ManagedFieldsEntry } from './ownership.js';

/**
 * Where `metadata.managedFields` live: a file beside the object's own state, which goes with
 * it whoever deletes the object (the API, podctl's commands, the garbage collector): next to a
 * record (ObjectStore, ServiceStore: `<ns>_<name>.managed-fields`) or in a pod's directory
 * (`<stateDir>/pods/<ns>_<name>/managed-fields.json`). Not in the object itself: a pod has no
 * record, and a change of ownership alone must not replace it. The file names the object's uid,
 * so entries never pass to another object of the same name. Kinds with no state of their own
 * here (Endpoints, Events) keep none.
 */
interface ManagedFile {
  uid: string;
  managedFields: ManagedFieldsEntry[];
}

const STORED = new Set<string>(STORED_KINDS);

/** The file of one object's entries; undefined for a kind that keeps none. */
function pathOf(stateDir: string, kind: string, namespace: string | undefined, name: string): string | undefined {
  const ns = CLUSTER_SCOPED.has(kind) ? undefined : (namespace ?? DEFAULT_NAMESPACE);
  if (kind === 'Pod') return join(new PodStore(stateDir).podDir({ namespace: ns!, name }), 'managed-fields.json');
  if (kind === 'Service') return new ServiceStore(stateDir).managedFieldsPath({ namespace: ns!, name });
  return STORED.has(kind) ? new ObjectStore(stateDir).managedFieldsPath(kind, ns, name) : undefined;
}

export async function readManagedFields(stateDir: string, kind: string, namespace: string | undefined, name: string, uid: string | undefined): Promise<ManagedFieldsEntry[]> {
  const path = pathOf(stateDir, kind, namespace, name);
  const file = path && uid !== undefined ? await readJsonIfExists<ManagedFile>(path) : undefined;
  return file?.uid === uid ? (file?.managedFields ?? []) : [];
}

/** Stores the entries (none: the file goes). Only beside state that exists: a pod gone meanwhile keeps nothing. */
export async function writeManagedFields(stateDir: string, kind: string, namespace: string | undefined, name: string, uid: string, managedFields: ManagedFieldsEntry[]): Promise<void> {
  const path = pathOf(stateDir, kind, namespace, name);
  if (!path) return;
  if (managedFields.length === 0) return removeIfExists(path);
  if (!(await stat(dirname(path)).catch(() => undefined))) return;
  await writeJsonAtomic(path, { uid, managedFields } satisfies ManagedFile);
}

/** The objects of a read with their stored entries (an object without a uid or entries is left as it is). */
export function withManagedFields(stateDir: string, kind: string, objects: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
  return Promise.all(
    objects.map(async (o) => {
      const meta = (o.metadata ?? {}) as { name?: string; namespace?: string; uid?: string };
      const managedFields = meta.name ? await readManagedFields(stateDir, kind, meta.namespace, meta.name, meta.uid) : [];
      return managedFields.length > 0 ? { ...o, metadata: { ...meta, managedFields } } : o;
    }),
  );
}
