/**
 * The Job controller as a pure function: from the Job's spec and its pods' outcomes, how many
 * pods to start now, or the condition the Job has reached.
 */
export interface JobInput {
  completions: number;
  parallelism: number;
  backoffLimit: number;
  succeeded: number;
  failed: number;
  active: number;
  /** activeDeadlineSeconds has passed since the Job started. */
  deadlineExceeded: boolean;
}

export type JobCondition = { type: 'Complete' } | { type: 'Failed'; reason: 'BackoffLimitExceeded' | 'DeadlineExceeded' };

export interface JobStep {
  create: number;
  /** Active pods to stop (the Job has failed); failed pods are kept for their logs. */
  stopActive: boolean;
  condition?: JobCondition;
}

export function jobStep(i: JobInput): JobStep {
  if (i.succeeded >= i.completions) return { create: 0, stopActive: false, condition: { type: 'Complete' } };
  if (i.failed > i.backoffLimit) return { create: 0, stopActive: true, condition: { type: 'Failed', reason: 'BackoffLimitExceeded' } };
  if (i.deadlineExceeded) return { create: 0, stopActive: true, condition: { type: 'Failed', reason: 'DeadlineExceeded' } };
  const wanted = Math.min(i.parallelism, i.completions - i.succeeded);
  return { create: Math.max(0, wanted - i.active), stopActive: false };
}
