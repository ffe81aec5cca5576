import { exitCodeOf } from '../docker/containers.js';
import type { ContainerState } from 'kubernetes-types/core/v1.js';
import { uptimeBounds } from '../pod/pause-health.js';
import type { PodContainerView, PodView } from '../pod/status.js';
import { BACKOFF_RESET_AFTER_MS, backOffMessage } from '../pod/backoff.js';

/**
 * A pod as kubectl words it (`get pods` STATUS, `-o json` phase and container states), from
 * podctl's view of it: the one list call's states and Docker's status lines, no extra call.
 */

/**
 * Ready as a controller and Services count it: running and past its readiness wait. A pod whose
 * wait has not passed (or whose waiting command was killed) is running but not ready.
 */
export const podReady = (view: PodView): boolean => view.state === 'running' && !view.awaitingReady;

/**
 * Ready, and running without a break long enough that the running is not a crash loop's
 * instant: what the waits (`apply --wait`, `wait --for=condition=available`, `rollout status`)
 * count, as Kubernetes counts a pod available only once it was Ready for minReadySeconds.
 * Controllers and Services keep `podReady`.
 */
export const podSettled = (view: PodView): boolean => podReady(view) && apps(view).every(containerSettled);

/** What a wait asks of every app container before a pod counts (podctl's minReadySeconds): a full second up. */
export const SETTLE_SECONDS = 1;

/**
 * How long an app container must have run without a break before a wait counts its pod.
 * One that never ended: SETTLE_SECONDS (Docker's own restarts, without serve, show as just
 * started). One that serve restarted after it ended: SETTLE_SECONDS longer than that last run
 * lasted. The runs of a crash loop are alike in length, so a container in one never gets
 * there however a wait's question falls; one that recovered does, a second after it outlived
 * its last run. A last run as long as the kubelet's back-off reset is no crash loop to the
 * kubelet, nor here.
 */
export function settleSeconds(c: Pick<PodContainerView, 'backOff'>): number {
  const last = c.backOff?.last;
  if (!last) return SETTLE_SECONDS;
  const ranMs = Date.parse(last.finishedAt) - Date.parse(last.startedAt);
  // An unreadable record (no start Docker knew of) says nothing of the run: the whole reset time.
  if (Number.isNaN(ranMs)) return BACKOFF_RESET_AFTER_MS / 1000;
  return ranMs >= BACKOFF_RESET_AFTER_MS ? SETTLE_SECONDS : Math.max(0, ranMs) / 1000 + SETTLE_SECONDS;
}

/** Running, and up at least `settleSeconds` by Docker's status text (its lower bound). */
export function containerSettled(c: Pick<PodContainerView, 'state' | 'status' | 'backOff'>): boolean {
  if (c.state !== 'running') return false;
  const up = uptimeBounds(c.status);
  // A status in words other than Docker's: only what the list shows, running.
  return up === undefined || up.lower >= settleSeconds(c);
}

/** Kubernetes' reason for a terminated container: Completed for exit 0, Error otherwise. */
export const terminationReason = (exitCode: number): 'Completed' | 'Error' => (exitCode === 0 ? 'Completed' : 'Error');

const apps = (view: PodView): PodContainerView[] => view.containers.filter((c) => c.role === 'app');

/** kubectl's RESTARTS: the restarts of the pod's app containers (filled by `PodManager.countRestarts`), summed. */
export const podRestarts = (view: PodView): number => apps(view).reduce((n, c) => n + (c.restarts ?? 0), 0);

/** The exit codes of the pod's app containers that have ended (an ended one without a readable code counts as 1). */
function exitCodes(view: PodView): number[] {
  return apps(view)
    .filter((c) => c.state === 'exited' || c.state === 'dead')
    .map((c) => exitCodeOf(c.status) ?? 1);
}

/**
 * kubectl's STATUS column: Running, ContainerCreating, Pending, Terminating, Completed (every
 * app container ended with 0), Error (one ended otherwise, or the sandbox is down),
 * CrashLoopBackOff (Docker is restarting one), Unknown. podctl's own words stay in `ps`.
 */
export function kubectlStatus(view: PodView): string {
  if (view.deletionTimestamp) return 'Terminating';
  switch (view.state) {
    case 'running':
      return 'Running';
    case 'creating':
      return 'ContainerCreating';
    case 'created':
      return 'Pending';
    case 'removing':
      return 'Terminating';
    case 'dead':
    case 'unknown':
      return 'Unknown';
  }
  if (apps(view).some((c) => c.state === 'restarting' || inBackOff(c))) return 'CrashLoopBackOff';
  const codes = exitCodes(view);
  if (codes.some((code) => code !== 0)) return 'Error';
  if (codes.length > 0) return 'Completed';
  // Stopped or degraded with no app that ended: the sandbox went down under running apps.
  return view.state === 'stopped' ? 'Completed' : 'Error';
}

/**
 * Kubernetes' pod phase: Running while the sandbox is up, Succeeded or Failed once every app
 * ended for good: the pod stopped, or (as the kubelet judges it) nothing will start its apps
 * again: Never, or OnFailure with every app ended 0 (`kubectl run --rm` waits for this).
 */
export function podPhase(view: PodView): 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown' {
  if (view.state === 'degraded' && endedForGood(view)) return exitCodes(view).some((code) => code !== 0) ? 'Failed' : 'Succeeded';
  if (view.state === 'running' || view.state === 'degraded') return 'Running';
  if (view.state === 'created' || view.state === 'creating') return 'Pending';
  if (view.state !== 'stopped') return 'Unknown';
  return exitCodes(view).some((code) => code !== 0) ? 'Failed' : 'Succeeded';
}

/** Every app ended, and its restart policy restarts none of them. */
function endedForGood(view: PodView): boolean {
  const ended = apps(view);
  if (ended.length === 0 || ended.some((c) => c.state !== 'exited' && c.state !== 'dead')) return false;
  return view.restartPolicy === 'no' || (view.restartPolicy === 'on-failure' && exitCodes(view).every((code) => code === 0));
}

/** Ended and kept waiting by serve's CrashLoopBackOff (Docker shows it exited). */
const inBackOff = (c: Pick<PodContainerView, 'state' | 'backOff'>): boolean => c.state === 'exited' && c.backOff?.waiting === true;

/**
 * Kubernetes' ContainerState of one container: exactly one of running, terminated or waiting.
 * With its pod, a container in serve's back-off gets the kubelet's message.
 */
export function containerState(c: Pick<PodContainerView, 'name' | 'state' | 'status' | 'backOff'>, pod?: { name: string; namespace: string }): ContainerState {
  if (c.state === 'running') return { running: {} };
  if (inBackOff(c)) return { waiting: { reason: 'CrashLoopBackOff', ...(pod ? { message: backOffMessage(c.backOff!.delayMs, c.name, pod.name, pod.namespace) } : {}) } };
  if (c.state === 'exited' || c.state === 'dead') {
    const exitCode = exitCodeOf(c.status) ?? 1;
    return { terminated: { exitCode, reason: terminationReason(exitCode) } };
  }
  return { waiting: { reason: c.state === 'restarting' ? 'CrashLoopBackOff' : c.status || c.state } };
}

/** Kubernetes' lastState: how a container that serve restarted or keeps in back-off last ended. */
export function lastContainerState(c: Pick<PodContainerView, 'state' | 'backOff'>): ContainerState | undefined {
  const last = c.backOff?.last;
  if (!last || (c.state !== 'running' && !inBackOff(c))) return undefined;
  return { terminated: { exitCode: last.exitCode, reason: last.reason, startedAt: last.startedAt, finishedAt: last.finishedAt } };
}
