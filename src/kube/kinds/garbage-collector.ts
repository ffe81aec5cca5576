import type { PodView } from '../../pod/status.js';
import { deletePod } from '../apply/apply-pod.js';
import { liveOwners, orphanedPods } from '../controllers/owners.js';
import { WORKLOAD_KINDS, type WorkloadContext } from './workloads.js';

/**
 * Kubernetes' garbage collector for pods: deletes the pods whose controlling owner no longer
 * exists (see orphanedPods), in `namespace` or every namespace, each with its own grace period,
 * as Background propagation leaves them to it. Pods being deleted already are left to their
 * deletion. Names the pods it deleted. `podctl serve` runs it when a workload is gone and at
 * each resync; one pod list and one read of the workload records per run.
 */
export async function collectGarbage(ctx: WorkloadContext, namespace?: string): Promise<string[]> {
  const views = await ctx.pods.list({ namespace, all: true });
  const candidates = views.filter((v) => v.ownerReferences?.some((r) => r.controller) && v.state !== 'removing' && !v.deletionTimestamp);
  if (candidates.length === 0) return [];
  const records = (await Promise.all(WORKLOAD_KINDS.map((kind) => ctx.store.list(kind, namespace)))).flat();
  const owners = liveOwners(
    records.filter((o) => o.metadata.uid).map((o) => ({ kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, uid: o.metadata.uid! })),
    // A Deployment's ReplicaSets are shown from its pods: one per template hash they carry.
    (d) => [...new Set(views.filter((v) => v.namespace === d.namespace && v.labels['pod-template-hash']).map((v) => v.labels['pod-template-hash']!))],
  );
  const garbage = orphanedPods(candidates, owners);
  await Promise.all(garbage.map((v: PodView) => deletePod(ctx.pods, v)));
  return garbage.map((v) => `${v.namespace}/${v.name}`);
}
