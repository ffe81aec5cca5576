import type { PodCheckpoint } from './checkpoint.js';
import type { PodSpec } from './spec.js';

/**
 * A container's restarts while its pod runs, as kubectl's RESTARTS counts them: those Docker's
 * restart policy made (`RestartCount`, in inspect only, reset by every client start) plus
 * those podctl made (liveness restarts: stop and start), which the checkpoint keeps together
 * with the Docker count each of them reset.
 */
export function containerRestarts(checkpoint: Pick<PodCheckpoint, 'restarts'> | undefined, container: string, dockerCount: number): number {
  return (checkpoint?.restarts?.[container] ?? 0) + dockerCount;
}

/** The checkpoint's count after podctl restarts `container` whose Docker count is `dockerCount` now. */
export function withRestart(restarts: PodCheckpoint['restarts'], container: string, dockerCount: number): Record<string, number> {
  return { ...restarts, [container]: containerRestarts({ restarts }, container, dockerCount) + 1 };
}

/** Docker's restart policy for the pod's app containers, as podctl creates them and as serve hands them back. */
export function engineRestartPolicy(spec: Pick<PodSpec, 'restartPolicy' | 'restartRetries'>): { Name: string; MaximumRetryCount?: number } {
  return { Name: spec.restartPolicy, ...(spec.restartPolicy === 'on-failure' && spec.restartRetries !== undefined ? { MaximumRetryCount: spec.restartRetries } : {}) };
}
