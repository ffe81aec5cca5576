import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';

/**
 * A Deployment's status as Kubernetes' deployment controller writes it after a sync: the
 * counters from the pods, and the Available and Progressing conditions with its rules for
 * their times (syncRolloutStatus). Pure: the caller counts the pods and stores the result.
 */
export interface DeploymentObservation {
  generation: number;
  /** spec.replicas. */
  desired: number;
  maxUnavailable: number;
  /** spec.progressDeadlineSeconds (Kubernetes' default: 600). */
  progressDeadlineSeconds?: number;
  /** The current template's ReplicaSet, `<name>-<pod-template-hash>`. */
  newReplicaSet: string;
  /** Pods of every template, of the current one, Ready, and available (Ready for minReadySeconds). */
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  now: Date;
}

export function deploymentStatus(prev: DeploymentStatus | undefined, o: DeploymentObservation): DeploymentStatus {
  const now = o.now.toISOString();
  const next: DeploymentStatus = {
    observedGeneration: o.generation,
    replicas: o.replicas,
    updatedReplicas: o.updated,
    readyReplicas: o.ready,
    availableReplicas: o.available,
    unavailableReplicas: Math.max(0, o.desired - o.available),
  };
  let conditions = prev?.conditions ?? [];
  conditions =
    o.available >= o.desired - o.maxUnavailable
      ? setCondition(conditions, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, now)
      : setCondition(conditions, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, now);

  const progressing = conditions.find((c) => c.type === 'Progressing');
  const rs = `ReplicaSet "${o.newReplicaSet}"`;
  const complete = o.updated === o.desired && o.replicas === o.desired && o.available === o.desired;
  // A template not named by the condition yet is a new ReplicaSet (the controller sets this when it creates one).
  if (!progressing?.message?.includes(`"${o.newReplicaSet}"`)) {
    conditions = replaceCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${o.newReplicaSet}"` }, now);
  }
  if (complete) {
    conditions = setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `${rs} has successfully progressed.` }, now);
  } else if (madeProgress(prev, next)) {
    // Progress refreshes lastUpdateTime, the clock the deadline is measured from.
    conditions = replaceCondition(conditions, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `${rs} is progressing.` }, now);
  } else if (timedOut(conditions, o)) {
    conditions = setCondition(conditions, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `${rs} has timed out progressing.` }, now);
  }
  return { ...next, conditions };
}

/** Kubernetes' DeploymentProgressing: more updated, ready or available pods, or fewer old ones. */
function madeProgress(prev: DeploymentStatus | undefined, next: DeploymentStatus): boolean {
  if (!prev) return false;
  const old = (s: DeploymentStatus) => (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (next.updatedReplicas ?? 0) > (prev.updatedReplicas ?? 0) || old(next) < old(prev) || (next.readyReplicas ?? 0) > (prev.readyReplicas ?? 0) || (next.availableReplicas ?? 0) > (prev.availableReplicas ?? 0);
}

/** Kubernetes' DeploymentTimedOut: no progress since the condition's lastUpdateTime for the deadline. */
function timedOut(conditions: DeploymentCondition[], o: DeploymentObservation): boolean {
  const c = conditions.find((x) => x.type === 'Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const since = Date.parse(c.lastUpdateTime ?? '');
  return !Number.isNaN(since) && since + (o.progressDeadlineSeconds ?? 600) * 1000 < o.now.getTime();
}

type Condition = Pick<DeploymentCondition, 'type' | 'status' | 'reason' | 'message'>;

/** Kubernetes' SetDeploymentCondition: the same status and reason change nothing; the same status keeps lastTransitionTime. */
function setCondition(conditions: DeploymentCondition[], c: Condition, now: string): DeploymentCondition[] {
  const current = conditions.find((x) => x.type === c.type);
  if (current && current.status === c.status && current.reason === c.reason) return conditions;
  return replaceCondition(conditions, c, now);
}

/** The condition written with lastUpdateTime now (lastTransitionTime kept while the status stays), in the place of its type. */
function replaceCondition(conditions: DeploymentCondition[], c: Condition, now: string): DeploymentCondition[] {
  const current = conditions.find((x) => x.type === c.type);
  const written: DeploymentCondition = { ...c, lastUpdateTime: now, lastTransitionTime: current && current.status === c.status ? (current.lastTransitionTime ?? now) : now };
  return current ? conditions.map((x) => (x === current ? written : x)) : [...conditions, written];
}
