/**
 * A replica workload's status as Kubernetes counts it, and what a wait for one of its goals is
 * still missing. Pure: the caller counts the pods (one list) and asks.
 */
export interface ReplicaCounts {
  /** spec.replicas (1 for a DaemonSet). */
  desired: number;
  /** Pods of every template. */
  replicas: number;
  /** Pods of the current template. */
  updated: number;
  /** Ready pods of every template (Kubernetes' availableReplicas: podctl has no minReadySeconds). */
  ready: number;
  /** Ready pods of the current template. */
  updatedReady: number;
}

/**
 * - `rolled-out` (`rollout status`, `apply --wait`, `scale --wait`): every replica is of the
 *   current template and ready, and no other pod is left;
 * - `available` (`wait --for=condition=available`, Kubernetes' Deployment condition):
 *   at least desired - maxUnavailable pods are ready;
 * - `ready` (`wait --for=condition=ready`): at least desired pods are ready.
 */
export type ReplicaGoal = 'rolled-out' | 'available' | 'ready';

/** What keeps `goal` from being reached, in words; undefined when it is reached. */
export function missingFor(goal: ReplicaGoal, c: ReplicaCounts, maxUnavailable = 0): string | undefined {
  if (goal === 'available') {
    const needed = Math.max(0, c.desired - maxUnavailable);
    return c.ready >= needed ? undefined : `${c.ready} of ${c.desired} replicas are available (needs ${needed})`;
  }
  if (goal === 'ready') return c.ready >= c.desired ? undefined : `${c.ready} of ${c.desired} replicas are ready`;
  if (c.updatedReady === c.desired && c.updated === c.desired && c.replicas === c.desired) return undefined;
  const missing = [`${c.updatedReady} of ${c.desired} updated replicas are ready`];
  if (c.replicas > c.updated) missing.push(`${c.replicas - c.updated} old replica(s) still to remove`);
  else if (c.updated > c.desired) missing.push(`${c.updated - c.desired} replica(s) still to remove`);
  return missing.join(', ');
}
