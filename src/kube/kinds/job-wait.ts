import { PodctlError } from '../../util/errors.js';
import { waitTimedOut } from '../object-ref.js';
import { jobCondition } from './job-status.js';
import { requireObject } from './read-objects.js';
import { reconcileJob, workloadOf, type WorkloadContext } from './workloads.js';

export interface JobWait {
  namespace: string;
  name: string;
  /** The condition waited for: `complete` or `failed`. */
  want: 'complete' | 'failed';
  /** Date.now() milliseconds. */
  deadline: number;
}

/**
 * `wait --for=condition=complete job/NAME`: runs the Job controller, waking when a pod's
 * container exits (dockerd answers then: no polling while pods run), until the Job has a
 * condition. Returns when it is the one wanted; the other condition fails FAILED_PRECONDITION,
 * the deadline TIMEOUT.
 */
export async function waitForJob(ctx: WorkloadContext, t: JobWait): Promise<void> {
  const w = workloadOf(await requireObject(ctx.store, 'Job', t.namespace, t.name), ctx.defaults);
  for (;;) {
    const { status, active } = await reconcileJob(ctx, w);
    const condition = jobCondition(status);
    const reached = condition?.type.toLowerCase();
    if (reached === t.want) return;
    if (condition) throw new PodctlError('FAILED_PRECONDITION', `job ${t.name} ended ${condition.type}${'reason' in condition ? ` (${condition.reason})` : ''}, not ${t.want}: ${status.succeeded} succeeded, ${status.failed} failed`, { hint: `its pods are kept: podctl logs job/${t.name}` });
    const left = t.deadline - Date.now();
    if (left <= 0) throw new PodctlError('TIMEOUT', waitTimedOut('Job', t.name), { hint: 'wait longer with --timeout' });
    const ids = active.flatMap((v) => v.containers.filter((c) => c.role === 'app' && c.state === 'running').map((c) => c.id));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([...ids.map((id) => ctx.pods.waitForExit(id).catch(() => -1)), new Promise((r) => (timer = setTimeout(r, ids.length > 0 ? left : Math.min(left, 500))))]);
    clearTimeout(timer);
  }
}
