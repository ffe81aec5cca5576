/**
 * Which part of a container's log is one of Kubernetes' container instances. The kubelet makes
 * a new container for each restart and keeps the one before; podctl (and Docker's restart
 * policy) start the same container again, and Docker appends every run to one log. So an
 * instance is a time window of that log, cut at the run boundary Docker records:
 *
 * - running after a restart: its last exit (`FinishedAt`, which Docker keeps while the container
 *   runs again) splits the runs. Docker writes it after the run's output is copied, so no line
 *   falls on the wrong side. The previous instance is everything before it: exact after one
 *   restart, every earlier run after several (Docker keeps no older boundary).
 * - ended after a restart (in back-off, or done): its last start (`StartedAt`) splits them.
 *   Docker records it once the process runs, so lines written in its first milliseconds may
 *   count as the previous instance's.
 * - never restarted: the current instance is the whole log, and there is no previous one.
 */
export interface ContainerRun {
  running: boolean;
  /** Docker's State.StartedAt and State.FinishedAt (`0001-01-01T00:00:00Z` when it never ended). */
  startedAt: string;
  finishedAt: string;
  /** Kubernetes' restartCount: podctl's and Docker's restarts together. */
  restarts: number;
}

/** A window of the log in Unix seconds; `undefined` for the previous instance of a container that never restarted. */
export type LogWindow = { since?: number; until?: number };

const seconds = (time: string): number | undefined => {
  const ms = Date.parse(time);
  // Docker's zero time is year 1: never happened.
  return Number.isNaN(ms) || ms <= 0 ? undefined : ms / 1000;
};

export function instanceWindow(run: ContainerRun, instance: 'current' | 'previous'): LogWindow | undefined {
  const boundary = run.restarts > 0 ? seconds(run.running ? run.finishedAt : run.startedAt) : undefined;
  if (instance === 'previous') return boundary === undefined ? undefined : { until: boundary };
  return boundary === undefined ? {} : { since: boundary };
}
