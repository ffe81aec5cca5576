import { createHash } from 'node:crypto';
import { openWorkloadContext } from '../kube/kinds/workload-context.js';
import type { KubeObject } from '../kube/objects/store.js';
import type { ResourceTable } from '../kube/tables.js';
import type { PodManager } from '../pod/manager.js';
import { DEFAULT_NAMESPACE } from '../pod/spec.js';
import { age } from '../util/age.js';
import { fieldsOfObject } from './field-selector.js';
import type { ReadRequest, ReadResult, Wanted } from './read.js';
import type { ApiResource } from './resources.js';

/**
 * ServiceAccounts: the stored ones, and the `default` one Kubernetes' service account
 * controller makes in every namespace (here `default` and each stored Namespace), so a chart
 * that names it or lists it finds it. A stored `default` is shown instead of the made one.
 * podctl runs no token controller: a service account carries no secrets.
 */
export function defaultServiceAccount(namespace: { name: string; uid?: string; creationTimestamp?: string }): KubeObject {
  // A stable uid of the namespace's `default` (UUID-shaped), so it reads the same each time.
  const h = createHash('sha256').update(`serviceaccount/${namespace.name}/${namespace.uid ?? ''}/default`).digest('hex');
  const uid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: namespace.name, uid, ...(namespace.creationTimestamp ? { creationTimestamp: namespace.creationTimestamp } : {}) } } as KubeObject;
}

/** Stored accounts with the made `default` of each namespace that has none stored, in namespace and name order. */
export function withDefaults(stored: KubeObject[], namespaces: Array<{ name: string; uid?: string; creationTimestamp?: string }>): KubeObject[] {
  const has = new Set(stored.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  const made = namespaces.filter((ns) => !has.has(`${ns.name}/default`)).map(defaultServiceAccount);
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return [...stored, ...made].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** kubectl's columns: NAME, SECRETS, AGE. */
export function serviceAccountTable(list: KubeObject[], now = Date.now()): ResourceTable {
  return {
    columns: ['NAME', 'SECRETS', 'AGE'].map((header) => ({ header, wide: false })),
    rows: list.map((o) => [o.metadata.name, String(((o as { secrets?: unknown[] }).secrets ?? []).length), o.metadata.creationTimestamp ? age(o.metadata.creationTimestamp, now) : '<unknown>']),
  };
}

export async function readServiceAccounts(pods: PodManager, _r: ApiResource, req: ReadRequest, wanted: Wanted): Promise<ReadResult> {
  const ctx = await openWorkloadContext(pods, req.namespace ?? DEFAULT_NAMESPACE);
  const [stored, namespaces] = await Promise.all([ctx.store.list('ServiceAccount', req.namespace), ctx.store.list('Namespace')]);
  const known = [{ name: DEFAULT_NAMESPACE }, ...namespaces.filter((n) => n.metadata.name !== DEFAULT_NAMESPACE).map((n) => n.metadata)].filter((n) => req.namespace === undefined || n.name === req.namespace);
  const list = withDefaults(stored, known as Array<{ name: string; uid?: string; creationTimestamp?: string }>).filter((o) => wanted(o.metadata.name, o.metadata.labels, fieldsOfObject(o)));
  const metadata = list.map((o) => ({ ...o.metadata }) as ReadResult['metadata'][number]);
  if (req.table) return { metadata, table: serviceAccountTable(list) };
  return { metadata, objects: list as unknown as Array<Record<string, unknown>> };
}
