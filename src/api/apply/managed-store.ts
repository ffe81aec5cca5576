import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../../util/atomic-file.js';
import { apiDir } from '../credentials.js';
import type { ManagedFieldsEntry } from './ownership.js';

/**
 * Where `metadata.managedFields` live: one file per object the API wrote,
 * `<stateDir>/api/managed-fields/<kind>/<namespace>_<name>.json` (0600), beside the object
 * rather than in it, because pods and Services have no record of their own and a change of
 * ownership alone must not replace a pod. The file names the object's uid: entries of an
 * object since deleted and made again under the same name (by podctl's own commands) are not
 * the new object's. The API's delete removes the file.
 */
interface ManagedFile {
  uid: string;
  managedFields: ManagedFieldsEntry[];
}

const dirOf = (stateDir: string, kind: string) => join(apiDir(stateDir), 'managed-fields', kind.toLowerCase());
const fileName = (namespace: string | undefined, name: string) => `${namespace ?? ''}_${name}.json`;

export async function readManagedFields(stateDir: string, kind: string, namespace: string | undefined, name: string, uid: string | undefined): Promise<ManagedFieldsEntry[]> {
  const file = await readJsonIfExists<ManagedFile>(join(dirOf(stateDir, kind), fileName(namespace, name)));
  return file && uid !== undefined && file.uid === uid ? file.managedFields : [];
}

/** Every stored entry list of a kind, by `<namespace>_<name>` and uid (one directory read for a list). */
export async function readManagedFieldsOfKind(stateDir: string, kind: string): Promise<Map<string, ManagedFile>> {
  const dir = dirOf(stateDir, kind);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  const files = await Promise.all(names.map(async (n) => [n.slice(0, -'.json'.length), await readJsonIfExists<ManagedFile>(join(dir, n))] as const));
  return new Map(files.filter((f): f is readonly [string, ManagedFile] => f[1] !== undefined));
}

export async function writeManagedFields(stateDir: string, kind: string, namespace: string | undefined, name: string, uid: string, managedFields: ManagedFieldsEntry[]): Promise<void> {
  const path = join(dirOf(stateDir, kind), fileName(namespace, name));
  if (managedFields.length === 0) return removeIfExists(path);
  await writeJsonAtomic(path, { uid, managedFields } satisfies ManagedFile);
}

export function removeManagedFields(stateDir: string, kind: string, namespace: string | undefined, name: string): Promise<void> {
  return removeIfExists(join(dirOf(stateDir, kind), fileName(namespace, name)));
}

/** The objects of a read with their stored entries (an object without a uid or a file is left as it is). */
export async function withManagedFields(stateDir: string, kind: string, objects: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
  const stored = await readManagedFieldsOfKind(stateDir, kind);
  if (stored.size === 0) return objects;
  return objects.map((o) => {
    const meta = (o.metadata ?? {}) as { name?: string; namespace?: string; uid?: string };
    const file = stored.get(`${meta.namespace ?? ''}_${meta.name}`);
    return file && meta.uid !== undefined && file.uid === meta.uid ? { ...o, metadata: { ...meta, managedFields: file.managedFields } } : o;
  });
}
