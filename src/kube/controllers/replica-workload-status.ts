import type { DaemonSetStatus, DeploymentStatus, ReplicaSetStatus, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import { deploymentStatus } from './deployment-status.js';

/**
 * The status a Deployment, ReplicaSet, StatefulSet or DaemonSet controller writes after a sync,
 * in each kind's own fields, from one count of the pods. Pure.
 */
export interface ReplicaObservation {
  kind: string;
  name: string;
  generation: number;
  /** spec.replicas (1 for a DaemonSet: the one node). */
  desired: number;
  maxUnavailable: number;
  progressDeadlineSeconds?: number;
  /** The current template's hash (pod-template-hash or controller-revision-hash). */
  hash: string;
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  now: Date;
}

export type ReplicaWorkloadStatus = DeploymentStatus | ReplicaSetStatus | StatefulSetStatus | DaemonSetStatus;

export function replicaWorkloadStatus(prev: ReplicaWorkloadStatus | undefined, o: ReplicaObservation): ReplicaWorkloadStatus {
  switch (o.kind) {
    case 'Deployment':
      return deploymentStatus(prev as DeploymentStatus | undefined, { ...o, newReplicaSet: `${o.name}-${o.hash}` });
    case 'DaemonSet':
      return {
        observedGeneration: o.generation,
        desiredNumberScheduled: o.desired,
        currentNumberScheduled: o.replicas,
        numberMisscheduled: 0,
        numberReady: o.ready,
        numberAvailable: o.available,
        numberUnavailable: Math.max(0, o.desired - o.available),
        updatedNumberScheduled: o.updated,
      } satisfies DaemonSetStatus;
    case 'StatefulSet': {
      const updateRevision = `${o.name}-${o.hash}`;
      const rolledOut = o.updated === o.replicas;
      // The revision all pods were at before this template: kept until every pod is updated.
      const currentRevision = rolledOut ? updateRevision : ((prev as StatefulSetStatus | undefined)?.currentRevision ?? updateRevision);
      return {
        observedGeneration: o.generation,
        replicas: o.replicas,
        currentReplicas: rolledOut ? o.replicas : o.replicas - o.updated,
        updatedReplicas: o.updated,
        readyReplicas: o.ready,
        availableReplicas: o.available,
        currentRevision,
        updateRevision,
      } satisfies StatefulSetStatus;
    }
    default:
      return { observedGeneration: o.generation, replicas: o.replicas, fullyLabeledReplicas: o.replicas, readyReplicas: o.ready, availableReplicas: o.available } satisfies ReplicaSetStatus;
  }
}
