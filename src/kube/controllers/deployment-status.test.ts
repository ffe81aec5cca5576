import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentStatus, type DeploymentObservation } from './deployment-status.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const obs = (o: Partial<DeploymentObservation>): DeploymentObservation => ({ generation: 1, desired: 2, maxUnavailable: 0, newReplicaSet: 'web-abc', replicas: 2, updated: 2, ready: 0, available: 0, now: at(0), ...o });
const cond = (s: ReturnType<typeof deploymentStatus>, type: string) => s.conditions?.find((c) => c.type === type);

test('a new Deployment: NewReplicaSetCreated, then progress, then NewReplicaSetAvailable and Available', () => {
  const s0 = deploymentStatus(undefined, obs({}));
  assert.deepEqual(
    { ...s0, conditions: undefined },
    { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 2, conditions: undefined },
  );
  assert.equal(cond(s0, 'Available')?.reason, 'MinimumReplicasUnavailable');
  assert.equal(cond(s0, 'Available')?.status, 'False');
  assert.deepEqual(cond(s0, 'Progressing'), { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: 'Created new replica set "web-abc"', lastUpdateTime: at(0).toISOString(), lastTransitionTime: at(0).toISOString() });
  const s1 = deploymentStatus(s0, obs({ ready: 1, available: 1, now: at(5) }));
  assert.equal(cond(s1, 'Progressing')?.reason, 'ReplicaSetUpdated');
  assert.equal(cond(s1, 'Progressing')?.lastUpdateTime, at(5).toISOString());
  assert.equal(cond(s1, 'Progressing')?.lastTransitionTime, at(0).toISOString());
  const s2 = deploymentStatus(s1, obs({ ready: 2, available: 2, now: at(9) }));
  assert.deepEqual(cond(s2, 'Available'), { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: at(9).toISOString(), lastTransitionTime: at(9).toISOString() });
  assert.equal(cond(s2, 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.equal(cond(s2, 'Progressing')?.message, 'ReplicaSet "web-abc" has successfully progressed.');
  // Nothing changed: the conditions keep their times.
  assert.deepEqual(deploymentStatus(s2, obs({ ready: 2, available: 2, now: at(99) })).conditions, s2.conditions);
});

test('no progress for progressDeadlineSeconds: Progressing False, ProgressDeadlineExceeded, until progress again', () => {
  const s0 = deploymentStatus(undefined, obs({ progressDeadlineSeconds: 5 }));
  assert.equal(cond(deploymentStatus(s0, obs({ progressDeadlineSeconds: 5, now: at(5) })), 'Progressing')?.reason, 'NewReplicaSetCreated');
  const late = deploymentStatus(s0, obs({ progressDeadlineSeconds: 5, now: at(6) }));
  assert.deepEqual(cond(late, 'Progressing'), { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-abc" has timed out progressing.', lastUpdateTime: at(6).toISOString(), lastTransitionTime: at(6).toISOString() });
  assert.equal(cond(deploymentStatus(late, obs({ progressDeadlineSeconds: 5, now: at(60) })), 'Progressing')?.lastUpdateTime, at(6).toISOString());
  const healed = deploymentStatus(late, obs({ progressDeadlineSeconds: 5, ready: 1, available: 1, now: at(70) }));
  assert.equal(cond(healed, 'Progressing')?.status, 'True');
  assert.equal(cond(healed, 'Progressing')?.lastTransitionTime, at(70).toISOString());
});

test('a new template is a new ReplicaSet; maxUnavailable keeps Available during the rollout', () => {
  const done = deploymentStatus(undefined, obs({ ready: 2, available: 2 }));
  const rolling = deploymentStatus(done, obs({ generation: 2, newReplicaSet: 'web-def', maxUnavailable: 1, replicas: 3, updated: 1, ready: 2, available: 1, now: at(3) }));
  assert.equal(rolling.observedGeneration, 2);
  assert.equal(cond(rolling, 'Progressing')?.message, 'Created new replica set "web-def"');
  assert.equal(cond(deploymentStatus(rolling, obs({ generation: 2, newReplicaSet: 'web-def', maxUnavailable: 1, replicas: 3, updated: 2, ready: 2, available: 1, now: at(4) })), 'Progressing')?.message, 'ReplicaSet "web-def" is progressing.');
  assert.equal(cond(rolling, 'Available')?.status, 'True');
});
