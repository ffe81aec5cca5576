import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicaWorkloadStatus, type ReplicaObservation } from './replica-workload-status.js';
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';

const obs = (o: Partial<ReplicaObservation>): ReplicaObservation => ({ kind: 'ReplicaSet', name: 'db', generation: 3, desired: 3, maxUnavailable: 0, hash: 'h2', replicas: 3, updated: 3, ready: 2, available: 1, now: new Date(0), ...o });

test('each kind in its own fields', () => {
  assert.deepEqual(replicaWorkloadStatus(undefined, obs({})), { observedGeneration: 3, replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 1 });
  assert.deepEqual(replicaWorkloadStatus(undefined, obs({ kind: 'DaemonSet', desired: 1, replicas: 1, updated: 1, ready: 1, available: 0 })), {
    observedGeneration: 3, desiredNumberScheduled: 1, currentNumberScheduled: 1, numberMisscheduled: 0, numberReady: 1, numberAvailable: 0, numberUnavailable: 1, updatedNumberScheduled: 1,
  });
  assert.equal((replicaWorkloadStatus(undefined, obs({ kind: 'Deployment' })) as { unavailableReplicas: number }).unavailableReplicas, 2);
});

test('a StatefulSet keeps its current revision until every pod is updated', () => {
  const rolling = replicaWorkloadStatus({ currentRevision: 'db-h1', updateRevision: 'db-h1', replicas: 3 }, obs({ kind: 'StatefulSet', updated: 1 }));
  assert.deepEqual(rolling, { observedGeneration: 3, replicas: 3, currentReplicas: 2, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 1, currentRevision: 'db-h1', updateRevision: 'db-h2' });
  const done = replicaWorkloadStatus(rolling, obs({ kind: 'StatefulSet' })) as StatefulSetStatus;
  assert.deepEqual([done.currentRevision, done.currentReplicas], ['db-h2', 3]);
});
