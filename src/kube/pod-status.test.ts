import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodContainerView, PodState, PodView } from '../pod/status.js';
import { containerSettled, containerState, kubectlStatus, lastContainerState, podPhase, podReady, podSettled, settleSeconds } from './pod-status.js';
import { terminationOf } from '../pod/backoff.js';

const app = (state: string, status: string, name = 'main'): PodContainerView => ({ name, id: name, image: 'busybox', role: 'app', state, status });

function pod(state: PodState, containers: PodContainerView[]): PodView {
  return {
    name: 'p', namespace: 'default', id: 'x', state, ips: [], netns: '', networks: [], labels: {}, created: '2026-01-01T00:00:00.000Z',
    pause: { id: 'x', image: 'pause', state: state === 'running' ? 'running' : 'exited' }, ready: 0, total: containers.length, containers,
  };
}

test('kubectl STATUS: a Job pod that succeeded is Completed, one that failed is Error', () => {
  assert.equal(kubectlStatus(pod('stopped', [app('exited', 'Exited (0) 3 seconds ago')])), 'Completed');
  assert.equal(kubectlStatus(pod('stopped', [app('exited', 'Exited (1) 3 seconds ago')])), 'Error');
  assert.equal(kubectlStatus(pod('stopped', [app('exited', 'Exited (0) 3 seconds ago', 'a'), app('exited', 'Exited (137) 1 second ago', 'b')])), 'Error');
});

test('kubectl STATUS: lifecycle words, and a running pod with a container Docker restarts is CrashLoopBackOff', () => {
  assert.equal(kubectlStatus(pod('running', [app('running', 'Up 2 seconds')])), 'Running');
  assert.equal(kubectlStatus(pod('creating', [app('created', 'Created')])), 'ContainerCreating');
  assert.equal(kubectlStatus(pod('created', [app('created', 'Created')])), 'Pending');
  assert.equal(kubectlStatus(pod('removing', [app('running', 'Up 1 minute')])), 'Terminating');
  // Marked for deletion while its containers get their grace period: Terminating, as kubectl shows a deletionTimestamp.
  assert.equal(kubectlStatus({ ...pod('running', [app('running', 'Up 1 minute')]), deletionTimestamp: '2026-01-01T00:00:01.000Z' }), 'Terminating');
  assert.equal(kubectlStatus(pod('dead', [])), 'Unknown');
  assert.equal(kubectlStatus(pod('degraded', [app('restarting', 'Restarting (1) 2 seconds ago')])), 'CrashLoopBackOff');
  assert.equal(kubectlStatus(pod('degraded', [app('exited', 'Exited (2) 1 second ago', 'a'), app('running', 'Up 5 seconds', 'b')])), 'Error');
  // The apps run but the pause (the sandbox) went down behind podctl's back.
  assert.equal(kubectlStatus(pod('degraded', [app('running', 'Up 5 seconds')])), 'Error');
});

test('pod phase and container states as the API reports them', () => {
  assert.equal(podPhase(pod('stopped', [app('exited', 'Exited (0) 3 seconds ago')])), 'Succeeded');
  assert.equal(podPhase(pod('stopped', [app('exited', 'Exited (3) 3 seconds ago')])), 'Failed');
  assert.equal(podPhase(pod('degraded', [app('exited', 'Exited (3) 3 seconds ago')])), 'Running');
  // The sandbox still up, but nothing will start the ended apps again (a kubectl run --restart=Never pod).
  assert.equal(podPhase({ ...pod('degraded', [app('exited', 'Exited (3) 3 seconds ago')]), restartPolicy: 'no' }), 'Failed');
  assert.equal(podPhase({ ...pod('degraded', [app('exited', 'Exited (0) 3 seconds ago')]), restartPolicy: 'no' }), 'Succeeded');
  assert.equal(podPhase({ ...pod('degraded', [app('exited', 'Exited (0) 3 seconds ago', 'a'), app('running', 'Up 3 seconds', 'b')]), restartPolicy: 'no' }), 'Running');
  assert.equal(podPhase({ ...pod('degraded', [app('exited', 'Exited (0) 3 seconds ago')]), restartPolicy: 'on-failure' }), 'Succeeded');
  assert.equal(podPhase({ ...pod('degraded', [app('exited', 'Exited (1) 3 seconds ago')]), restartPolicy: 'on-failure' }), 'Running');
  assert.equal(podPhase({ ...pod('degraded', [app('exited', 'Exited (0) 3 seconds ago')]), restartPolicy: 'always' }), 'Running');
  assert.equal(podPhase(pod('created', [app('created', 'Created')])), 'Pending');
  assert.deepEqual(containerState(app('exited', 'Exited (137) 2 minutes ago')), { terminated: { exitCode: 137, reason: 'Error' } });
  assert.deepEqual(containerState(app('exited', 'Exited (0) 2 minutes ago')), { terminated: { exitCode: 0, reason: 'Completed' } });
  assert.deepEqual(containerState(app('restarting', 'Restarting (1) 2 seconds ago')), { waiting: { reason: 'CrashLoopBackOff' } });
  assert.deepEqual(containerState(app('created', 'Created')), { waiting: { reason: 'Created' } });
});

test('settled: ready, and every app container up a full second (a crash loop runs only for instants)', () => {
  assert.equal(podSettled(pod('running', [app('running', 'Up 1 second')])), true);
  assert.equal(podSettled(pod('running', [app('running', 'Up 3 minutes (healthy)', 'a'), app('running', 'Up 2 seconds', 'b')])), true);
  const justStarted = pod('running', [app('running', 'Up 2 seconds', 'a'), app('running', 'Up Less than a second', 'b')]);
  assert.deepEqual([podReady(justStarted), podSettled(justStarted)], [true, false]);
  assert.equal(podSettled(pod('degraded', [app('restarting', 'Restarting (3) Less than a second ago')])), false);
  assert.equal(podSettled({ ...pod('running', [app('running', 'Up 5 seconds')]), awaitingReady: true }), false);
});

test('settled: a container serve restarted counts only once it outlived its last run by a second', () => {
  // A crash loop's run of about a second: asked at any moment of the next run, not settled.
  const ranOneSecond = terminationOf(1, false, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.020Z');
  const restarted = (status: string, last = ranOneSecond, delayMs = 10_000) => ({ ...app('running', status), backOff: { delayMs, last, waiting: false } });
  assert.equal(settleSeconds(restarted('Up 1 second')), 2.02);
  for (const status of ['Up Less than a second', 'Up 1 second', 'Up 2 seconds']) {
    assert.equal(containerSettled(restarted(status)), false, status);
    assert.equal(podSettled(pod('running', [restarted(status)])), false, status);
  }
  // Restarted at once after its first end (delay 0): the same.
  assert.equal(podSettled(pod('running', [restarted('Up 1 second', ranOneSecond, 0)])), false);
  // Recovered: up a second longer than its last run.
  assert.equal(podSettled(pod('running', [restarted('Up 3 seconds')])), true);
  // A last run of 10 minutes or more is no crash loop (the kubelet resets its back-off): a second.
  const ranLong = terminationOf(137, true, '2026-01-01T00:00:00.000Z', '2026-01-01T00:10:00.000Z');
  assert.equal(podSettled(pod('running', [restarted('Up 1 second', ranLong)])), true);
  assert.equal(podSettled(pod('running', [restarted('Up Less than a second', ranLong)])), false);
  // Waiting in back-off, or not running: never.
  assert.equal(containerSettled({ ...app('exited', 'Exited (1) 2 seconds ago'), backOff: { delayMs: 10_000, last: ranOneSecond, waiting: true } }), false);
  // One container still in its loop holds the pod back however long the other runs.
  assert.equal(podSettled(pod('running', [app('running', 'Up 2 hours', 'a'), { ...restarted('Up 2 seconds'), name: 'b' }])), false);
});

test("serve's back-off: CrashLoopBackOff with the kubelet's message, lastState from the record", () => {
  const last = terminationOf(1, false, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z');
  const waiting = { ...app('exited', 'Exited (1) 2 seconds ago'), backOff: { delayMs: 20_000, last, waiting: true } };
  assert.equal(kubectlStatus(pod('degraded', [waiting])), 'CrashLoopBackOff');
  assert.deepEqual(containerState(waiting, { name: 'p', namespace: 'default' }), {
    waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=main pod=p_default' },
  });
  assert.deepEqual(lastContainerState(waiting), { terminated: { exitCode: 1, reason: 'Error', startedAt: last.startedAt, finishedAt: last.finishedAt } });
  const restarted = { ...app('running', 'Up 1 second'), backOff: { delayMs: 20_000, last, waiting: false } };
  assert.deepEqual(containerState(restarted), { running: {} });
  assert.equal(lastContainerState(restarted)?.terminated?.reason, 'Error');
  // Ended and not waiting (serve handed it back, or the policy does not restart it): terminated, as before.
  const ended = { ...app('exited', 'Exited (1) 2 seconds ago'), backOff: { delayMs: 0, last, waiting: false } };
  assert.equal(kubectlStatus(pod('degraded', [ended])), 'Error');
  assert.equal(lastContainerState(ended), undefined);
});
