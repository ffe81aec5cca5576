import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodContainerView, PodView } from '../../pod/status.js';
import { Fields, ManifestIssues } from '../fields.js';
import { jobCondition, observeJob } from './job-status.js';
import { readWorkload } from './workloads.js';

const job = (spec: Record<string, unknown>) =>
  readWorkload(Fields.of({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'check' }, spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }, '', new ManifestIssues())!, 'Job', 'default', { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'pause' })!;

const app = (state: string, status: string): PodContainerView => ({ name: 'c', id: 'c', image: 'busybox', role: 'app', state, status });
const pod = (name: string, c: PodContainerView): PodView => ({
  name, namespace: 'default', id: name, state: c.state === 'running' ? 'running' : 'stopped', ips: [], netns: '', networks: [], labels: { 'job-name': 'check' }, created: '2026-01-01T00:00:00.000Z',
  pause: { id: name, image: 'pause', state: 'running' }, ready: 0, total: 1, containers: [c],
});
const running = (name: string) => pod(name, app('running', 'Up 2 seconds'));
const exited = (name: string, code: number) => pod(name, app('exited', `Exited (${code}) 1 second ago`));
const start = '2026-01-01T00:00:00.000Z';

test('observeJob: counts the pods and says what the controller starts next, acting on nothing', () => {
  const o = observeJob(job({ completions: 3, parallelism: 2 }), { startTime: start }, [exited('a', 0), running('b')], Date.parse(start) + 1000);
  assert.deepEqual(o.status, { active: 1, succeeded: 1, failed: 0, startTime: start });
  assert.deepEqual(o.step, { create: 1, stopActive: false });
  assert.deepEqual([o.active.map((v) => v.name), o.finished.map((v) => v.name)], [['b'], ['a']]);
});

test('observeJob: a condition the pods reached shows before the controller records it; a recorded one stays', () => {
  const end = Date.parse(start) + 5000;
  const at = new Date(end).toISOString();
  const done = observeJob(job({}), { startTime: start }, [exited('a', 0)], end);
  assert.deepEqual(done.status, {
    active: 0, succeeded: 1, failed: 0, startTime: start, completionTime: at,
    conditions: [{ type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: at, lastTransitionTime: at }],
  });
  const failed = observeJob(job({ backoffLimit: 1 }), { startTime: start }, [exited('a', 3), exited('b', 3)], end);
  assert.deepEqual(failed.status.conditions, [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: at, lastTransitionTime: at }]);
  assert.equal(failed.status.completionTime, undefined);
  assert.equal(failed.step?.stopActive, true);
  const conditions = [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline', lastProbeTime: start, lastTransitionTime: start }];
  const recorded = observeJob(job({}), { startTime: start, conditions }, [running('a')], end);
  assert.deepEqual(recorded.status, { active: 0, succeeded: 0, failed: 0, conditions, startTime: start });
  assert.deepEqual(jobCondition(recorded.status), { type: 'Failed', reason: 'DeadlineExceeded' });
  assert.equal(recorded.step, undefined);
});

test('observeJob: activeDeadlineSeconds counts from the recorded start; the Job shows Failed once its pods are removed', () => {
  const past = Date.parse(start) + 11_000;
  const o = observeJob(job({ activeDeadlineSeconds: 10 }), { startTime: start }, [running('a')], past);
  assert.deepEqual(o.step, { create: 0, stopActive: true, condition: { type: 'Failed', reason: 'DeadlineExceeded' } });
  assert.deepEqual([jobCondition(o.status), o.status.active], [undefined, 1], 'its pod still runs: not ended yet');
  const gone = observeJob(job({ activeDeadlineSeconds: 10 }), { startTime: start }, [], past);
  assert.deepEqual([jobCondition(gone.status), gone.status.active, gone.status.failed], [{ type: 'Failed', reason: 'DeadlineExceeded' }, 0, 0]);
});

test('observeJob: a pod being removed is terminating: neither active nor failed, and the end waits for it', () => {
  const past = Date.parse(start) + 11_000;
  // The removal killed its app (137) and was cut short: a pod the controller removes, not a failure.
  const removing: PodView = { ...exited('a', 137), state: 'removing' };
  const o = observeJob(job({ activeDeadlineSeconds: 10 }), { startTime: start }, [removing], past);
  assert.deepEqual([o.active.length, o.finished.length, o.terminating.map((v) => v.name)], [0, 0, ['a']]);
  assert.deepEqual([o.status.active, o.status.failed, jobCondition(o.status)], [0, 0, undefined]);
  assert.equal(o.step?.stopActive, true);
  // A running Job replaces a pod being removed, as Kubernetes' default podReplacementPolicy does.
  const ongoing = observeJob(job({}), { startTime: start }, [removing], Date.parse(start) + 1000);
  assert.deepEqual(ongoing.step, { create: 1, stopActive: false });
});

test('observeJob: failed only grows: pods removed past the deadline stay counted once they are gone, as Kubernetes counts them', () => {
  const past = Date.parse(start) + 11_000;
  // The controller recorded failed 2 (one pod that failed, one active pod it removed at the deadline).
  const o = observeJob(job({ activeDeadlineSeconds: 10 }), { startTime: start, failed: 2 }, [exited('a', 1)], past);
  assert.equal(o.status.failed, 2);
  assert.deepEqual(jobCondition(o.status), { type: 'Failed', reason: 'DeadlineExceeded' });
  // A pod marked for deletion (deletionTimestamp) is terminating: neither active nor failed.
  const marked = { ...running('b'), deletionTimestamp: start };
  const t = observeJob(job({ activeDeadlineSeconds: 10 }), { startTime: start }, [marked], Date.parse(start) + 1000);
  assert.deepEqual([t.terminating.map((v) => v.name), t.status.active, t.status.failed], [['b'], 0, 0]);
});
