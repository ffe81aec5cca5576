import { describeProbe, probeOnce, type ProbeTarget } from './probe-wait.js';
import type { ProbeSpec } from './spec.js';
import type { PodView } from './status.js';

/** Counts failures in a row, as the kubelet does: `failureThreshold` of them (default 3) mean restart. */
export class FailureCount {
  private failures = 0;
  constructor(private readonly threshold = 3) {}

  /** True when this result completes a run of `threshold` failures (the count starts over). */
  failed(passed: boolean): boolean {
    this.failures = passed ? 0 : this.failures + 1;
    if (this.failures < this.threshold) return false;
    this.failures = 0;
    return true;
  }
}

/** One probed container of a running pod, with what restarting it takes. */
export interface LiveTarget extends ProbeTarget {
  /** Docker's container id: the key while the watch runs (a restart keeps it). */
  id: string;
  pod: PodView;
  livenessProbe: ProbeSpec;
  ip: string;
}

export type OnUnhealthy = (target: LiveTarget, message: string) => Promise<void>;

/**
 * The liveness probes of `podctl watch`: one timer per probed running container, firing at the
 * probe's own period (after initialDelaySeconds, again after each restart); failureThreshold
 * failures in a row call `restart`. The set follows the pod list (reconcile after each burst
 * of Docker events), so no other polling.
 */
export class LivenessProbes {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly restart: OnUnhealthy) {}

  reconcile(targets: LiveTarget[]): void {
    const wanted = new Set(targets.map((t) => t.id));
    for (const [id, timer] of this.timers) {
      if (wanted.has(id)) continue;
      clearTimeout(timer);
      this.timers.delete(id);
    }
    for (const t of targets) if (!this.timers.has(t.id)) this.schedule(t, new FailureCount(t.livenessProbe.failureThreshold), t.livenessProbe.initialDelaySeconds ?? 0);
  }

  private schedule(t: LiveTarget, count: FailureCount, delaySeconds: number): void {
    const timer = setTimeout(() => void this.check(t, count), delaySeconds * 1000);
    timer.unref();
    this.timers.set(t.id, timer);
  }

  private async check(t: LiveTarget, count: FailureCount): Promise<void> {
    const probe = t.livenessProbe;
    const passed = await probeOnce(probe, t.ip, t);
    if (!this.timers.has(t.id)) return; // gone while probing
    if (!count.failed(passed)) return this.schedule(t, count, probe.periodSeconds ?? 10);
    const message = `Liveness probe failed ${probe.failureThreshold ?? 3} times in a row: ${describeProbe(probe, t.ip)}`;
    try {
      await this.restart(t, message);
    } finally {
      // The restarted container gets its initial delay again (a period when it has none).
      if (this.timers.has(t.id)) this.schedule(t, count, probe.initialDelaySeconds || (probe.periodSeconds ?? 10));
    }
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
