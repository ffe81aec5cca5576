import type { JobSpec } from 'kubernetes-types/batch/v1.js';
import { exitCodeOf } from '../../docker/containers.js';
import type { PodView } from '../../pod/status.js';
import { jobStep, type JobCondition, type JobStep } from '../controllers/job.js';
import type { Workload } from './workloads.js';

/** What podctl records in a Job's `status` (and `get`/`describe` show). */
export interface JobStatus {
  active: number;
  succeeded: number;
  failed: number;
  condition?: JobCondition;
  startTime?: string;
}

/** How a Job pod ended: from the Docker status of its app containers in the pod list. */
export function podOutcome(v: PodView): 'active' | 'succeeded' | 'failed' {
  const apps = v.containers.filter((c) => c.role === 'app');
  const codes = apps.map((c) => (c.state === 'exited' || c.state === 'dead' ? exitCodeOf(c.status) ?? 1 : undefined));
  if (codes.some((c) => c !== undefined && c !== 0)) return 'failed';
  if (apps.length > 0 && codes.every((c) => c === 0)) return 'succeeded';
  return 'active';
}

export interface JobObservation {
  /** The status as the pods show it now: the one the controller writes after this look. */
  status: JobStatus;
  /** Pods still running their containers. */
  active: PodView[];
  /** Pods whose containers ended (kept for their logs). */
  finished: PodView[];
  /** What the controller does next; undefined once the Job has its condition on record. */
  step?: JobStep;
}

/**
 * A Job seen through its owned pods, without acting: the controller acts on it (reconcileJob)
 * and `get`/`describe` print its status, so both read a Job the same way. A condition the pods
 * already reached shows before the controller records it.
 */
export function observeJob(w: Workload, recorded: Partial<JobStatus> | undefined, owned: PodView[], now = Date.now()): JobObservation {
  const status: JobStatus = { active: 0, succeeded: 0, failed: 0, ...recorded };
  const outcomes = owned.map((v) => ({ v, outcome: podOutcome(v) }));
  const active = outcomes.filter((o) => o.outcome === 'active').map((o) => o.v);
  const finished = outcomes.filter((o) => o.outcome !== 'active').map((o) => o.v);
  const spec = (w.obj.spec ?? {}) as Partial<JobSpec>;
  const onFailure = w.template.spec?.restartPolicy === 'OnFailure';
  const failedPods = outcomes.filter((o) => o.outcome === 'failed').length;
  const succeeded = outcomes.filter((o) => o.outcome === 'succeeded').length;
  let step: JobStep | undefined;
  let condition = status.condition;
  if (!condition) {
    const started = Date.parse(status.startTime ?? new Date(now).toISOString());
    const deadline = spec.activeDeadlineSeconds;
    step = jobStep({
      completions: spec.completions ?? 1,
      parallelism: spec.parallelism ?? 1,
      backoffLimit: spec.backoffLimit ?? 6,
      succeeded,
      // With OnFailure Docker already retried backoffLimit times before the pod counts as failed.
      failed: onFailure ? failedPods * ((spec.backoffLimit ?? 6) + 1) : failedPods,
      active: active.length,
      deadlineExceeded: deadline !== undefined && now - started >= deadline * 1000,
    });
    condition = step.condition;
  }
  return {
    status: { ...status, ...(condition ? { condition } : {}), succeeded, failed: failedPods, active: condition ? 0 : active.length, startTime: status.startTime ?? new Date(now).toISOString() },
    active,
    finished,
    step,
  };
}
