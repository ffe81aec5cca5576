import type { PodView } from '../pod/status.js';
import { uptimeBounds } from '../pod/pause-health.js';
import { podReady, podSettled, settleSeconds } from './pod-status.js';

/**
 * Available as Kubernetes counts it: Ready for at least minReadySeconds. podctl knows a pod's
 * ready time only through its app containers' uptime in Docker's status text ("Up 5 seconds"),
 * so the container's start stands in for the moment it became Ready. `ready` is the reader's
 * readiness: the controllers' podSettled by default (a crash loop's instants of running are not
 * availability), `get`'s podReady so that with minReadySeconds 0 AVAILABLE is READY, as kubectl
 * shows it.
 */
export function podAvailable(view: PodView, minReadySeconds = 0, ready: (v: PodView) => boolean = podSettled): boolean {
  if (!ready(view)) return false;
  return view.containers.filter((c) => c.role === 'app').every((c) => (uptimeBounds(c.status)?.lower ?? 0) >= minReadySeconds);
}

/**
 * How long until a pod that is ready now counts as available as `podAvailable` counts it (ms),
 * when nothing else changes; undefined when it is not ready, or available already. Docker's
 * status text gives whole seconds of uptime, so this is the time until its lower bound gets
 * there: a controller looks again then (Kubernetes' controllers requeue for minReadySeconds
 * alike), since no event marks the moment.
 */
export function msUntilAvailable(view: PodView, minReadySeconds = 0): number | undefined {
  if (!podReady(view) || podAvailable(view, minReadySeconds)) return undefined;
  const waits = view.containers
    .filter((c) => c.role === 'app')
    .map((c) => Math.max(0, Math.max(settleSeconds(c), minReadySeconds) - (uptimeBounds(c.status)?.lower ?? 0)));
  return Math.max(0, ...waits) * 1000;
}
