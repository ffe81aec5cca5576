import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingFor, type ReplicaCounts } from './replica-status.js';

const counts = (c: Partial<ReplicaCounts>): ReplicaCounts => ({ desired: 2, replicas: 2, updated: 2, ready: 2, updatedReady: 2, ...c });

test('rolled out: every replica current and ready, nothing else left', () => {
  assert.equal(missingFor('rolled-out', counts({})), undefined);
  assert.equal(missingFor('rolled-out', counts({ ready: 1, updatedReady: 1 })), '1 of 2 updated replicas are ready');
  assert.equal(missingFor('rolled-out', counts({ replicas: 3, ready: 3 })), '2 of 2 updated replicas are ready, 1 old replica(s) still to remove');
  assert.equal(missingFor('rolled-out', counts({ replicas: 3, updated: 3, ready: 3, updatedReady: 3 })), '3 of 2 updated replicas are ready, 1 replica(s) still to remove');
  assert.equal(missingFor('rolled-out', counts({ desired: 0, replicas: 0, updated: 0, ready: 0, updatedReady: 0 })), undefined);
});

test('available as Kubernetes defines it: desired - maxUnavailable ready pods, of any template', () => {
  assert.equal(missingFor('available', counts({ ready: 0, updatedReady: 0 })), '0 of 2 replicas are available (needs 2)');
  assert.equal(missingFor('available', counts({ ready: 1, updatedReady: 0 }), 1), undefined);
  assert.equal(missingFor('available', counts({ desired: 1, replicas: 1, updated: 1, ready: 0, updatedReady: 0 })), '0 of 1 replicas are available (needs 1)');
});

test('ready: at least the desired number of ready pods', () => {
  assert.equal(missingFor('ready', counts({ ready: 1 })), '1 of 2 replicas are ready');
  assert.equal(missingFor('ready', counts({})), undefined);
});
