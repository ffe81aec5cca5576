import { deleteConfigObject } from './config-objects.js';
import { deleteWorkload, WORKLOAD_KINDS, type DeleteOptions, type WorkloadContext, type WorkloadKind } from './workloads.js';

export type { DeleteOptions } from './workloads.js';

/**
 * Deletes a stored object of any kind: a workload (by its propagation policy, with its pods'
 * grace period: see deleteWorkload and DeleteOptions) or a config object (a claim in use only
 * when forced; the options do not apply). False when there was no such object.
 */
export async function deleteObject(ctx: WorkloadContext, kind: string, namespace: string, name: string, force: boolean, options: DeleteOptions = {}): Promise<boolean> {
  if (!WORKLOAD_KINDS.includes(kind)) return deleteConfigObject(ctx.pods, ctx.store, kind, namespace, name, force);
  return deleteWorkload(ctx, kind as WorkloadKind, namespace, name, options);
}
