import type { JobCondition as StoredJobCondition, JobSpec } from 'kubernetes-types/batch/v1.js';
import { exitCodeOf } from '../../docker/containers.js';
import type { PodView } from '../../pod/status.js';
import { jobStep, type JobCondition, type JobStep } from '../controllers/job.js';
import type { Workload } from './workloads.js';

/** What podctl records in a Job's `status` (and `get`/`describe` show), in Kubernetes' fields. */
export interface JobStatus {
  active: number;
  succeeded: number;
  failed: number;
  startTime?: string;
  completionTime?: string;
  conditions?: StoredJobCondition[];
}

/** The Job's end as the controller recorded it in `conditions`, or undefined while it runs. */
export function jobCondition(status: Partial<JobStatus> | undefined): JobCondition | undefined {
  const c = status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (!c) return undefined;
  if (c.type === 'Complete') return { type: 'Complete' };
  return { type: 'Failed', reason: c.reason === 'DeadlineExceeded' ? 'DeadlineExceeded' : 'BackoffLimitExceeded' };
}

/** Kubernetes' message for a Job's end (on its condition and its event). */
export function jobConditionMessage(c: JobCondition): string {
  if (c.type === 'Complete') return 'Reached expected number of succeeded pods';
  return c.reason === 'DeadlineExceeded' ? 'Job was active longer than specified deadline' : 'Job has reached the specified backoff limit';
}

/** The condition as it is stored, with Kubernetes' reason (CompletionsReached for Complete) and times. */
function storedCondition(c: JobCondition, now: string): StoredJobCondition {
  const reason = c.type === 'Complete' ? 'CompletionsReached' : c.reason;
  return { type: c.type, status: 'True', reason, message: jobConditionMessage(c), lastProbeTime: now, lastTransitionTime: now };
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
  /** Pods being removed (by the controller, or `podctl rm`), whose removal may have been left undone by a killed process. */
  terminating: PodView[];
  /** What the controller does next; undefined once the Job has its condition on record. */
  step?: JobStep;
}

/**
 * A Job seen through its owned pods, without acting: the controller acts on it (reconcileJob)
 * and `get`/`describe` print its status, so both read a Job the same way. A condition the pods
 * already reached shows before the controller records it (a failed Job's once no pod of it is
 * left to remove).
 */
export function observeJob(w: Workload, recorded: Partial<JobStatus> | undefined, owned: PodView[], now = Date.now()): JobObservation {
  const status: JobStatus = { active: 0, succeeded: 0, failed: 0, ...recorded };
  // A pod being removed is terminating, as one with a deletionTimestamp is to Kubernetes' Job
  // controller: neither active nor finished. The app its removal killed did not fail.
  const isTerminating = (v: PodView) => v.state === 'removing' || v.deletionTimestamp !== undefined;
  const terminating = owned.filter(isTerminating);
  const outcomes = owned.filter((v) => !isTerminating(v)).map((v) => ({ v, outcome: podOutcome(v) }));
  const active = outcomes.filter((o) => o.outcome === 'active').map((o) => o.v);
  const finished = outcomes.filter((o) => o.outcome !== 'active').map((o) => o.v);
  const spec = (w.obj.spec ?? {}) as Partial<JobSpec>;
  const onFailure = w.template.spec?.restartPolicy === 'OnFailure';
  const failedPods = outcomes.filter((o) => o.outcome === 'failed').length;
  const succeeded = outcomes.filter((o) => o.outcome === 'succeeded').length;
  let step: JobStep | undefined;
  const recordedCondition = jobCondition(status);
  let condition = recordedCondition;
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
    // A failed Job ends once the controller has removed its pods (Kubernetes, too, records
    // Failed only when none is left; until then they count as active): no reader sees a Job
    // ended while a pod of it still runs or is being removed. The step still says to remove them.
    if (step.stopActive && active.length + terminating.length > 0) condition = undefined;
  }
  const at = new Date(now).toISOString();
  // A condition reached just now is written with its time; a recorded one stays as it was.
  const ended = condition && !recordedCondition ? { conditions: [...(status.conditions ?? []), storedCondition(condition, at)], ...(condition.type === 'Complete' ? { completionTime: at } : {}) } : {};
  return {
    // `failed` only grows, as Kubernetes' count: it keeps the pods the controller removed
    // because the Job failed (past its deadline), which the pods can no longer show.
    status: { ...status, ...ended, succeeded, failed: Math.max(status.failed, failedPods), active: condition ? 0 : active.length, startTime: status.startTime ?? at },
    active,
    finished,
    terminating,
    step,
  };
}
