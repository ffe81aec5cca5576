import { setTimeout as sleep } from 'node:timers/promises';
import { PodctlError } from '../util/errors.js';
import { poll } from '../util/poll.js';
import type { ProbeSpec } from './spec.js';
import { httpOk, tcpOpen } from './wait.js';

/** A container's probes and how to reach it. */
export interface ProbeTarget {
  container: string;
  startupProbe?: ProbeSpec;
  readinessProbe?: ProbeSpec;
  /** Runs a command in this container and returns its exit code (exec probes). */
  exec: (command: string[], timeoutMs: number) => Promise<number>;
}


/** One attempt of one probe; a probe that throws counts as failed. */
export async function probeOnce(probe: ProbeSpec, ip: string, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) return await httpOk(ip, probe.httpGet.port, probe.httpGet.path, timeoutMs, probe.httpGet.scheme === 'HTTPS');
    if (probe.tcpSocket) return await tcpOpen(ip, probe.tcpSocket.port, timeoutMs);
    if (probe.exec) return (await target.exec(probe.exec.command, timeoutMs)) === 0;
  } catch {
    return false;
  }
  return true;
}

export function describeProbe(probe: ProbeSpec, ip: string): string {
  if (probe.httpGet) return `httpGet ${probe.httpGet.scheme === 'HTTPS' ? 'https' : 'http'}://${ip}:${probe.httpGet.port}${probe.httpGet.path}`;
  if (probe.tcpSocket) return `tcpSocket ${ip}:${probe.tcpSocket.port}`;
  return `exec ${JSON.stringify(probe.exec?.command ?? [])}`;
}

/**
 * Polls one probe until it passes. `initialDelaySeconds` is honoured; after that the probe is
 * retried quickly (5 ms doubling up to its period, at most 100 ms): `--wait` wants the moment the
 * pod is ready, not kubelet's 10 s cadence.
 */
async function untilPasses(kind: string, probe: ProbeSpec, ip: string, target: ProbeTarget, deadline: number): Promise<void> {
  if (probe.initialDelaySeconds) await sleep(Math.min(probe.initialDelaySeconds * 1000, Math.max(0, deadline - Date.now())));
  const maxDelayMs = Math.min((probe.periodSeconds ?? 1) * 1000, 100);
  const passed = await poll(async () => (await probeOnce(probe, ip, target)) || undefined, { firstDelayMs: 5, maxDelayMs, deadline });
  if (!passed) {
    throw new PodctlError('TIMEOUT', `${kind} probe of container ${target.container} did not pass: ${describeProbe(probe, ip)}`, {
      hint: `check the logs of container ${target.container}, or allow a longer wait`,
    });
  }
}

/** Waits until every container's startup probe, then its readiness probe, passes; containers in parallel. */
export async function waitForProbes(ip: string, targets: ProbeTarget[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    targets.map(async (target) => {
      if (target.startupProbe) await untilPasses('startup', target.startupProbe, ip, target, deadline);
      if (target.readinessProbe) await untilPasses('readiness', target.readinessProbe, ip, target, deadline);
    }),
  );
}

export const hasProbes = (containers: Array<{ startupProbe?: ProbeSpec; readinessProbe?: ProbeSpec }>): boolean =>
  containers.some((c) => c.startupProbe !== undefined || c.readinessProbe !== undefined);
