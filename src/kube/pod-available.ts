import type { PodView } from '../pod/status.js';
import { podSettled } from './pod-status.js';

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
  return view.containers.filter((c) => c.role === 'app').every((c) => uptimeLowerBound(c.status) >= minReadySeconds);
}

/** Lower bound of the uptime in Docker's "Up 5 minutes" text (its HumanDuration), in seconds; 0 when not up. */
export function uptimeLowerBound(status: string): number {
  const m = /^Up (Less than a second|About a minute|About an hour|(\d+) (second|minute|hour|day|week|month|year)s?)/.exec(status);
  if (!m || m[1] === 'Less than a second') return 0;
  if (m[1] === 'About a minute') return 60;
  if (m[1] === 'About an hour') return 3600;
  const unit: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 7 * 86400, month: 30 * 86400, year: 365 * 86400 };
  return Number(m[2]) * (unit[m[3]!] ?? 1);
}
