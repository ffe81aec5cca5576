import { PodctlError, isPodctlError } from '../../util/errors.js';
import { poll } from '../../util/poll.js';
import type { KubeObject } from '../objects/store.js';
import { objectRef, waitTimedOut } from '../object-ref.js';
import { listObjects } from './read-objects.js';
import { WORKLOAD_KINDS, reconcileJob, reconcileReplicasIfFree, workloadOf, type WorkloadContext } from './workloads.js';

/**
 * `wait --for=delete`, `--for=jsonpath=...` and `--for=condition=X` on what the status says:
 * each round runs the workload's controller (when no other process does: it writes the status
 * it reads, as serve would) and looks at the object as `get` shows it.
 */
export interface ObjectWait {
  kind: string;
  namespace: string;
  name: string;
  /** Date.now() milliseconds. */
  deadline: number;
  /** What the object must show; undefined waits for it to be gone. */
  until?: (shown: KubeObject) => boolean;
}

export async function waitForObject(ctx: WorkloadContext, t: ObjectWait): Promise<void> {
  const reached = await poll(
    async () => {
      const stored = await ctx.store.get(t.kind, t.namespace, t.name);
      if (!t.until) return stored ? undefined : true;
      if (!stored) throw new PodctlError('NOT_FOUND', `${objectRef(t.kind, t.name)} not found in namespace ${t.namespace}`, { hint: `list them with podctl get ${t.kind.toLowerCase()}s` });
      if (WORKLOAD_KINDS.includes(t.kind)) await runController(ctx, stored);
      const [shown] = await listObjects(ctx, t.kind, t.namespace, [t.name]);
      return t.until(shown!) ? true : undefined;
    },
    { firstDelayMs: 250, maxDelayMs: 1000, deadline: t.deadline },
  );
  if (!reached) throw new PodctlError('TIMEOUT', waitTimedOut(t.kind, t.name), { hint: 'wait longer with --timeout' });
}

async function runController(ctx: WorkloadContext, stored: KubeObject): Promise<void> {
  const w = workloadOf(stored, ctx.defaults);
  if (w.kind === 'Job') return void (await reconcileJob(ctx, w));
  // A probe wait inside the controller never runs for long: the wait looks again.
  await reconcileReplicasIfFree({ ...ctx, readyTimeoutMs: Math.min(ctx.readyTimeoutMs, 1000) }, w).catch((err: unknown) => {
    // A stalled rollout is a status to read, not a failure of the wait.
    if (!isPodctlError(err, 'FAILED_PRECONDITION')) throw err;
  });
}
