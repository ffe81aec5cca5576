import { PodctlError, isPodctlError } from '../../util/errors.js';
import { poll } from '../../util/poll.js';
import { objectRef, waitTimedOut } from '../object-ref.js';
import { missingFor, type ReplicaGoal } from '../controllers/replica-status.js';
import { podSettled } from '../pod-status.js';
import { reconcileReplicasIfFree, replicaCounts, rolloutLimits, workloadOf, type WorkloadContext } from './workloads.js';

/**
 * Waiting for a replica workload (Deployment, ReplicaSet, DaemonSet, StatefulSet) to reach a
 * goal: `apply --wait`, `scale --wait`, `rollout status`, `wait --for=condition=...`. Each
 * round reads the stored record and the one pod list, so the wait judges the spec as it is now,
 * never the pods of the caller's copy; it runs the controller only when no other process does
 * (that one converges to the same stored spec), so it never waits on a pod another command is
 * removing.
 */
export interface ReplicaWait {
  kind: string;
  namespace: string;
  name: string;
  goal: ReplicaGoal;
  /** Date.now() milliseconds. */
  deadline: number;
  /** The generation the waiting command wrote: a later one means another command changed the workload since. */
  generation?: number;
}

export type WaitResult = { reached: true } | { reached: false; supersededBy: number };

export async function waitForReplicas(ctx: WorkloadContext, t: ReplicaWait): Promise<WaitResult> {
  const ref = objectRef(t.kind, t.name);
  let missing = '';
  const result = await poll<WaitResult>(
    async () => {
      const stored = await ctx.store.get(t.kind, t.namespace, t.name);
      if (!stored) throw new PodctlError('NOT_FOUND', `${ref} was deleted while waiting for it`, { hint: `see podctl get ${t.kind.toLowerCase()}s -n ${t.namespace}` });
      const generation = stored.metadata.generation ?? 1;
      if (t.generation !== undefined && generation > t.generation) return { reached: false, supersededBy: generation };
      const w = workloadOf(stored, ctx.defaults);
      let stalled = '';
      try {
        // A probe wait inside the controller never runs past the deadline.
        await reconcileReplicasIfFree({ ...ctx, readyTimeoutMs: Math.max(1000, Math.min(ctx.readyTimeoutMs, t.deadline - Date.now())) }, w);
      } catch (err) {
        // A stalled rollout or a StatefulSet pod that is not ready: not there yet, said at the timeout.
        if (!isPodctlError(err, 'FAILED_PRECONDITION')) throw err;
        stalled = err.message;
      }
      // Settled (podSettled): a crash loop's moments of running are not readiness.
      const counts = replicaCounts(w, await ctx.pods.list({ namespace: t.namespace, all: true }), podSettled);
      const gap = missingFor(t.goal, counts, rolloutLimits(w).maxUnavailable);
      if (gap === undefined) return { reached: true };
      missing = stalled ? `${gap} (${stalled})` : gap;
      return undefined;
    },
    { firstDelayMs: 250, maxDelayMs: 1000, deadline: t.deadline },
  );
  if (result) return result;
  // rollout status and --wait name their goal; wait --for=condition says it as kubectl does.
  const head = t.goal === 'rolled-out' ? `timed out waiting for ${ref} (${t.goal})` : waitTimedOut(t.kind, t.name);
  throw new PodctlError('TIMEOUT', `${head}: ${missing}`, { hint: `see podctl describe ${t.kind.toLowerCase()} ${t.name} -n ${t.namespace}; wait longer with --timeout` });
}
