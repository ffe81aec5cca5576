import { deletePod } from '../kube/apply/index.js';
import { deleteObject } from '../kube/kinds/delete-object.js';
import { openWorkloadContext } from '../kube/kinds/workload-context.js';
import type { PodManager } from '../pod/manager.js';
import { DEFAULT_NAMESPACE } from '../pod/spec.js';
import type { FailedPrecondition, Precondition } from '../kube/objects/store.js';
import { isPodctlError, type PodctlError } from '../util/errors.js';
import type { ObservedObjects } from './observed.js';
import { readResource } from './read.js';
import { groupVersionOf, type ApiResource } from './resources.js';
import { apiError, failure } from './status.js';
import { current, qualifiedName, type DeleteOptions, type WriteReply, type WriteTarget } from './write.js';

/**
 * DELETE of one object, or of every object a list would show (deletecollection, with the
 * same label and field selectors): through podctl's own deletes (deletePod, the Service
 * proxy's remove, kube's deleteObject for records and workloads, which deletes a workload's
 * dependents as its propagationPolicy says), each given the request's gracePeriodSeconds. The
 * request does the whole deletion, as `podctl delete` does.
 *
 * DeleteOptions' preconditions (uid, resourceVersion) are checked against the object as it is
 * now, then, for a record, again under the store's lock with its removal (ObjectStore.expecting):
 * an object that is not what they say is the API server's 409 Conflict and stays. A
 * deletecollection deletes the objects that meet them and answers the first refusal.
 */
export async function removeObject(pods: PodManager, target: WriteTarget, options: DeleteOptions, dryRun: boolean, query: URLSearchParams, observed?: ObservedObjects): Promise<WriteReply> {
  const r = target.resource;
  const namespace = r.namespaced ? target.namespace : undefined;
  const found = await readResource(pods, r, {
    namespace,
    ...(target.name !== undefined ? { name: target.name } : {}),
    labelSelector: query.get('labelSelector'),
    fieldSelector: query.get('fieldSelector'),
    table: false,
  });
  const objects = found.objects ?? [];
  let refused: PodctlError | undefined;
  for (const o of objects) {
    const ns = metadataOf(o).namespace ?? namespace ?? DEFAULT_NAMESPACE;
    const name = metadataOf(o).name!;
    const wanted = options.preconditions;
    const failed = wanted ? unmetPrecondition(metadataOf(await withVersion(pods, { resource: r, namespace: ns }, name, o, wanted, observed)), wanted) : undefined;
    if (failed) refused ??= preconditionFailed(r, name, failed);
    if (failed || dryRun) continue;
    try {
      await removeOne(pods, r, ns, name, options, wanted ? { kind: r.kind, ...(r.namespaced ? { namespace: ns } : {}), name, ...wanted } : undefined);
    } catch (err) {
      // The record moved on between the look and its removal (another writer came between).
      const moved = isPodctlError(err, 'FAILED_PRECONDITION') ? (err.details?.precondition as FailedPrecondition | undefined) : undefined;
      if (!moved) throw err;
      refused ??= preconditionFailed(r, name, moved);
    }
  }
  if (refused) throw refused;
  if (target.name === undefined) return { code: 200, body: { kind: `${r.kind}List`, apiVersion: groupVersionOf(r), metadata: {}, items: objects }, warnings: [] };
  const uid = metadataOf(objects[0]!).uid;
  return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: target.name, ...(r.group ? { group: r.group } : {}), kind: r.name, ...(uid ? { uid } : {}) } }, warnings: [] };
}

const metadataOf = (o: Record<string, unknown>) => (o.metadata ?? {}) as { name?: string; namespace?: string; uid?: string; resourceVersion?: string };

/** The object as a precondition's resourceVersion is checked against: a pod or a Service with the version serve's observer logged for it now. */
async function withVersion(pods: PodManager, target: WriteTarget, name: string, found: Record<string, unknown>, wanted: Preconditions, observed?: ObservedObjects): Promise<Record<string, unknown>> {
  const kind = target.resource.kind;
  if (wanted.resourceVersion === undefined || (kind !== 'Pod' && kind !== 'Service')) return found;
  return (await current(pods, target, name, observed)) ?? found;
}

type Preconditions = NonNullable<DeleteOptions['preconditions']>;

/** The first precondition the object does not meet (uid before resourceVersion, as the API server checks), or undefined. */
export function unmetPrecondition(meta: { uid?: string; resourceVersion?: string }, wanted: Preconditions): FailedPrecondition | undefined {
  if (wanted.uid !== undefined && wanted.uid !== (meta.uid ?? '')) return { field: 'UID', expected: wanted.uid, actual: meta.uid ?? '' };
  if (wanted.resourceVersion !== undefined && wanted.resourceVersion !== (meta.resourceVersion ?? '')) return { field: 'ResourceVersion', expected: wanted.resourceVersion, actual: meta.resourceVersion ?? '' };
  return undefined;
}

/** The API server's 409 of a delete whose preconditions do not hold, in its words. */
export function preconditionFailed(r: ApiResource, name: string, failed: FailedPrecondition): PodctlError {
  const message = `Operation cannot be fulfilled on ${qualifiedName(r, name)}: Precondition failed: ${failed.field} in precondition: ${failed.expected}, ${failed.field} in object meta: ${failed.actual ?? ''}`;
  return apiError('FAILED_PRECONDITION', failure(409, 'Conflict', message, { name, ...(r.group ? { group: r.group } : {}), kind: r.name }));
}

async function removeOne(pods: PodManager, r: ApiResource, namespace: string, name: string, options: DeleteOptions, precondition?: Precondition): Promise<void> {
  const grace = options.gracePeriodSeconds;
  if (r.kind === 'Pod') await deletePod(pods, { name, namespace }, grace);
  else if (r.kind === 'Service') await pods.services.remove({ name, namespace });
  else {
    const ctx = await openWorkloadContext(pods, namespace);
    // A record is removed only while it is still what the preconditions say, under the store's lock.
    const held = precondition ? { ...ctx, store: ctx.store.expecting(precondition) } : ctx;
    await deleteObject(held, r.kind, namespace, name, false, { propagationPolicy: options.propagationPolicy, gracePeriodSeconds: grace });
  }
}
