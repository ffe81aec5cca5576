import { deleteConfigObject } from './config-objects.js';
import { deleteWorkload, WORKLOAD_KINDS, type WorkloadContext, type WorkloadKind } from './workloads.js';

/**
 * Deletes a stored object of any kind: a workload (its record, then its pods: see
 * deleteWorkload) or a config object (a claim in use only when forced). False when there was
 * no such object.
 */
export async function deleteObject(ctx: WorkloadContext, kind: string, namespace: string, name: string, force: boolean, graceSeconds?: number): Promise<boolean> {
  if (!WORKLOAD_KINDS.includes(kind)) return deleteConfigObject(ctx.pods, ctx.store, kind, namespace, name, force);
  return deleteWorkload(ctx, kind as WorkloadKind, namespace, name, graceSeconds);
}
