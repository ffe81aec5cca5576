import { deletePod } from '../kube/apply/index.js';
import { deleteObject } from '../kube/kinds/delete-object.js';
import { openWorkloadContext } from '../kube/kinds/workload-context.js';
import type { PodManager } from '../pod/manager.js';
import { DEFAULT_NAMESPACE } from '../pod/spec.js';
import { readResource } from './read.js';
import { groupVersionOf, type ApiResource } from './resources.js';
import type { DeleteOptions, WriteReply, WriteTarget } from './write.js';

/**
 * DELETE of one object, or of every object a list would show (deletecollection, with the
 * same label and field selectors): through podctl's own deletes (deletePod, the Service
 * proxy's remove, kube's deleteObject for records and workloads, which deletes a workload's
 * dependents as its propagationPolicy says), each given the request's gracePeriodSeconds. The
 * request does the whole deletion, as `podctl delete` does.
 */
export async function removeObject(pods: PodManager, target: WriteTarget, options: DeleteOptions, dryRun: boolean, query: URLSearchParams): Promise<WriteReply> {
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
  if (!dryRun) for (const o of objects) await removeOne(pods, r, metadataOf(o).namespace ?? namespace ?? DEFAULT_NAMESPACE, metadataOf(o).name!, options);
  if (target.name === undefined) return { code: 200, body: { kind: `${r.kind}List`, apiVersion: groupVersionOf(r), metadata: {}, items: objects }, warnings: [] };
  const uid = metadataOf(objects[0]!).uid;
  return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: target.name, ...(r.group ? { group: r.group } : {}), kind: r.name, ...(uid ? { uid } : {}) } }, warnings: [] };
}

const metadataOf = (o: Record<string, unknown>) => (o.metadata ?? {}) as { name?: string; namespace?: string; uid?: string };

async function removeOne(pods: PodManager, r: ApiResource, namespace: string, name: string, options: DeleteOptions): Promise<void> {
  const grace = options.gracePeriodSeconds;
  if (r.kind === 'Pod') await deletePod(pods, { name, namespace }, grace);
  else if (r.kind === 'Service') await pods.services.remove({ name, namespace });
  else await deleteObject(await openWorkloadContext(pods, namespace), r.kind, namespace, name, false, { propagationPolicy: options.propagationPolicy, gracePeriodSeconds: grace });
}
