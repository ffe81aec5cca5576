import { endpointsManifest, serviceManifest } from '../kube/kinds/service-output.js';
import { listObjects } from '../kube/kinds/read-objects.js';
import { openWorkloadContext } from '../kube/kinds/workload-context.js';
import { podManifests } from '../kube/pod-manifests.js';
import { podPhase } from '../kube/pod-status.js';
import { parseSelector } from '../kube/selector.js';
import { endpointsTable, objectTable, podTable, serviceTable, type ResourceTable } from '../kube/tables.js';
import type { PodManager } from '../pod/manager.js';
import { DEFAULT_NAMESPACE } from '../pod/spec.js';
import type { PodView } from '../pod/status.js';
import type { ServiceEndpoints } from '../service/types.js';
import { readEndpointSlices } from './endpoint-slices.js';
import { readEvents } from './events.js';
import { readServiceAccounts } from './service-accounts.js';
import { fieldsMatch, fieldsOfObject, parseFieldSelector } from './field-selector.js';
import type { ApiResource } from './resources.js';
import { objectNotFound } from './status.js';

/**
 * Reads for the API: the objects of one resource as `podctl get -o json` shows them, or the
 * rows `podctl get` prints, through the same readers podctl's own commands use (the pod list and
 * checkpoints, the Service proxy's records, the object store with live status). Selectors are
 * applied before anything costly: a pod's manifest needs an inspect, its table row does not.
 */
export interface ReadRequest {
  /** Undefined: every namespace (and for cluster-scoped resources). */
  namespace?: string;
  /** One object (GET .../NAME): NotFound when it is not there. */
  name?: string;
  labelSelector?: string | null;
  fieldSelector?: string | null;
  /** Rows for a Table instead of the objects. */
  table: boolean;
}

/** What a read found: each object's metadata, and either the objects or the table (rows in the same order). */
export interface ReadResult {
  metadata: ObjectMeta[];
  objects?: Array<Record<string, unknown>>;
  table?: ResourceTable;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  creationTimestamp?: string;
  uid?: string;
}

export async function readResource(pods: PodManager, r: ApiResource, req: ReadRequest): Promise<ReadResult> {
  const fields = parseFieldSelector(req.fieldSelector, r.kind);
  const labels = req.labelSelector ? parseSelector(req.labelSelector) : () => true;
  const wanted = (name: string, labelSet: Record<string, string> | undefined, fieldSet: Record<string, string | undefined>) =>
    (req.name === undefined || name === req.name) && labels(labelSet ?? {}) && fieldsMatch(fields, fieldSet);
  const result = await (MORE_READERS[r.kind] ?? (r.kind === 'Pod' ? readPods : r.kind === 'Service' || r.kind === 'Endpoints' ? readServices : readObjects))(pods, r, req, wanted);
  if (req.name !== undefined && result.metadata.length === 0) throw objectNotFound(r, req.name);
  return result;
}

/** Kinds read by modules of their own (each loaded with the API; none is costly to load). */
const MORE_READERS: Record<string, (pods: PodManager, r: ApiResource, req: ReadRequest, wanted: Wanted) => Promise<ReadResult>> = { Event: readEvents, EndpointSlice: readEndpointSlices, ServiceAccount: readServiceAccounts };

export type Wanted = (name: string, labels: Record<string, string> | undefined, fields: Record<string, string | undefined>) => boolean;

async function readPods(pods: PodManager, _r: ApiResource, req: ReadRequest, wanted: Wanted): Promise<ReadResult> {
  const views = (await pods.list({ namespace: req.namespace, all: true })).filter((v) => wanted(v.name, v.labels, { 'metadata.name': v.name, 'metadata.namespace': v.namespace, 'status.phase': podPhase(v) }));
  const metadata = views.map((v: PodView) => ({ name: v.name, namespace: v.namespace, labels: v.labels, creationTimestamp: v.created }));
  if (!req.table) {
    const objects = await podManifests(pods, views, await pods.defaultNetwork());
    // A pod removed while it was read is left out of the objects: its metadata goes with it (they are paired by position).
    const kept = new Set(objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    return { metadata: metadata.filter((m) => kept.has(`${m.namespace}/${m.name}`)), objects: objects as unknown as Array<Record<string, unknown>> };
  }
  await pods.countRestarts(views);
  return { metadata, table: podTable(views) };
}

async function readServices(pods: PodManager, r: ApiResource, req: ReadRequest, wanted: Wanted): Promise<ReadResult> {
  const toObject = r.kind === 'Service' ? serviceManifest : endpointsManifest;
  const list = (await pods.services.list(req.namespace)).filter((s: ServiceEndpoints) => wanted(s.service.name, s.service.labels, fieldsOfObject(toObject(s))));
  const metadata = list.map((s) => ({ name: s.service.name, namespace: s.service.namespace, labels: s.service.labels, creationTimestamp: s.service.createdAt, uid: s.service.uid }));
  if (req.table) return { metadata, table: (r.kind === 'Service' ? serviceTable : endpointsTable)(list) };
  return { metadata, objects: list.map(toObject) };
}

async function readObjects(pods: PodManager, r: ApiResource, req: ReadRequest, wanted: Wanted): Promise<ReadResult> {
  const ctx = await openWorkloadContext(pods, req.namespace ?? DEFAULT_NAMESPACE);
  const list = (await listObjects(ctx, r.kind, r.namespaced ? req.namespace : undefined)).filter((o) => wanted(o.metadata.name, o.metadata.labels, fieldsOfObject(o)));
  const metadata = list.map((o) => ({ ...o.metadata }) as ObjectMeta);
  if (req.table) return { metadata, table: objectTable(r.kind, list) };
  return { metadata, objects: list as unknown as Array<Record<string, unknown>> };
}
