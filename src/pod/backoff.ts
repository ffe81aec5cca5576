/**
 * The kubelet's CrashLoopBackOff, as serve applies it to containers that end under a running
 * pause. Pure: the caller reads Docker's State and keeps the record in the pod's checkpoint,
 * so a restart of serve finds the delays where they were.
 *
 * As the kubelet: the first end of a container is restarted at once; each next one waits
 * 10 s, doubling up to 5 min; a container that ran 10 min before it ended starts over.
 */
export const BACKOFF_FIRST_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
export const BACKOFF_RESET_AFTER_MS = 600_000;

/** How a container last ended, as Kubernetes' lastState.terminated words it. */
export interface Termination {
  exitCode: number;
  reason: 'Completed' | 'Error' | 'OOMKilled';
  startedAt: string;
  finishedAt: string;
}

/** Per container in the checkpoint: the last end serve judged and the delay it got. */
export interface BackOffRecord {
  delayMs: number;
  last: Termination;
  /** Ended and not yet restarted by serve: the container is in CrashLoopBackOff. */
  waiting: boolean;
}

/** Kubernetes' reason for a container that ended. */
export function terminationOf(exitCode: number, oomKilled: boolean, startedAt: string, finishedAt: string): Termination {
  const reason = oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
  return { exitCode, reason, startedAt, finishedAt };
}

/** The delay before restarting after `end`, given the record of the end before it. */
export function delayAfter(previous: BackOffRecord | undefined, end: Termination): number {
  if (!previous) return 0;
  const ranMs = Date.parse(end.finishedAt) - Date.parse(end.startedAt);
  if (ranMs >= BACKOFF_RESET_AFTER_MS) return 0;
  return previous.delayMs === 0 ? BACKOFF_FIRST_MS : Math.min(previous.delayMs * 2, BACKOFF_MAX_MS);
}

/**
 * Judges one end of a container at `now`: the record to keep and how long until its restart
 * (0: restart now). An end already judged (same finishedAt) keeps its delay, so asking again,
 * or a serve started anew, does not push the restart further.
 */
export function judgeEnd(previous: BackOffRecord | undefined, end: Termination, now: number): { record: BackOffRecord; waitMs: number } {
  const delayMs = previous && previous.last.finishedAt === end.finishedAt ? previous.delayMs : delayAfter(previous, end);
  const waitMs = Math.max(0, Date.parse(end.finishedAt) + delayMs - now);
  return { record: { delayMs, last: end, waiting: waitMs > 0 }, waitMs };
}

/** The kubelet's message for a container waiting in back-off. */
export const backOffMessage = (delayMs: number, container: string, pod: string, namespace: string): string =>
  `back-off ${Math.round(delayMs / 1000)}s restarting failed container=${container} pod=${pod}_${namespace}`;

/**
 * Whether the kubelet brings back a container that ended with `exitCode` under the pod's
 * restart policy (Docker's names). on-failure with a retry count is a Job's backoffLimit,
 * counted by Docker's own policy, which serve leaves in place.
 */
export function kubeletRestarts(policy: string | undefined, retries: number | undefined, exitCode: number): boolean {
  if (policy === 'always' || policy === 'unless-stopped') return true;
  return policy === 'on-failure' && retries === undefined && exitCode !== 0;
}

/** Whether serve takes over restarts from Docker's policy for such a pod. */
export const kubeletOwnsRestarts = (policy: string | undefined, retries: number | undefined): boolean =>
  kubeletRestarts(policy, retries, 1);
