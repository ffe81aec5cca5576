import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodView } from '../pod/status.js';
import { msUntilAvailable, podAvailable } from './pod-available.js';
import { podReady } from './pod-status.js';

const pod = (status: string): PodView => ({
  name: 'p', namespace: 'default', id: 'p', state: 'running', ips: [], netns: '', networks: [], labels: {}, created: '2026-01-01T00:00:00.000Z',
  pause: { id: 'p', image: 'pause', state: 'running' }, ready: 1, total: 1, containers: [{ name: 'c', id: 'c', image: 'busybox', role: 'app', state: 'running', status }],
});

test('podAvailable: the controllers wait out a just (re)started container; get counts it with minReadySeconds 0, as kubectl', () => {
  const fresh = pod('Up Less than a second');
  assert.equal(podAvailable(fresh), false);
  assert.equal(podAvailable(fresh, 0, podReady), true);
  assert.equal(podAvailable(pod('Up 3 seconds')), true);
});

test('podAvailable: minReadySeconds counts from the container start, whatever the readiness', () => {
  assert.equal(podAvailable(pod('Up 3 seconds'), 5, podReady), false);
  assert.equal(podAvailable(pod('Up 6 seconds'), 5, podReady), true);
  assert.equal(podAvailable({ ...pod('Up 6 seconds'), awaitingReady: true }, 0, podReady), false);
});

test('msUntilAvailable: when a controller must look again, since no event marks the moment a ready pod counts', () => {
  assert.equal(msUntilAvailable(pod('Up Less than a second')), 1000, 'the settling second');
  assert.equal(msUntilAvailable(pod('Up 2 seconds'), 5), 3000, 'minReadySeconds');
  assert.equal(msUntilAvailable(pod('Up 3 seconds')), undefined, 'available already');
  assert.equal(msUntilAvailable({ ...pod('Up Less than a second'), awaitingReady: true }), undefined, 'not ready: its readiness wait requeues it');
  assert.equal(msUntilAvailable({ ...pod('Exited (1) 2 seconds ago'), state: 'degraded' }), undefined, 'not running');
});
