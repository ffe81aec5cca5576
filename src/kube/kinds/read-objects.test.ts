import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PodManager } from '../../pod/manager.js';
import type { PodContainerView, PodView } from '../../pod/status.js';
import { ObjectStore } from '../objects/store.js';
import { listObjects } from './read-objects.js';
import type { WorkloadContext } from './workloads.js';

const app = (state: string, status: string): PodContainerView => ({ name: 'c', id: 'c', image: 'busybox', role: 'app', state, status });
const pod = (name: string, c: PodContainerView): PodView => ({
  name, namespace: 'default', id: name, state: c.state === 'running' ? 'running' : 'stopped', ips: [], netns: '', networks: [], labels: { 'job-name': 'check' }, created: '2026-01-01T00:00:00.000Z',
  pause: { id: name, image: 'pause', state: 'running' }, ready: 0, total: 1, containers: [c],
});

/** A pod manager that can only list: any other call (start, stop, a lock for a controller run) fails the test. */
function listOnly(stateDir: string, views: PodView[]): PodManager {
  return new Proxy({ stateDir, list: async () => views } as unknown as PodManager, {
    get: (target, key) => {
      if (key in target) return target[key as keyof PodManager];
      if (key === 'then') return undefined;
      throw new Error(`reading called PodManager.${String(key)}`);
    },
  });
}

test('get and describe read a Job: status from its pods, no controller run, the record unchanged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-read-'));
  try {
    const store = new ObjectStore(dir);
    const job = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'check', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00.000Z', generation: 1 },
      spec: { completions: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
      status: { active: 1, succeeded: 0, failed: 0, startTime: '2026-01-01T00:00:00.000Z' },
    };
    await store.put(job);
    const before = await readFile(join(dir, 'objects', 'job', 'default_check.json'), 'utf8');
    const ctx: WorkloadContext = { pods: listOnly(dir, [pod('check-a', app('exited', 'Exited (0) 1 second ago'))]), store, defaults: { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'pause' }, readyTimeoutMs: 1000 };
    const [o] = await listObjects(ctx, 'Job', 'default', ['check']);
    // One of two completions done and nothing running: the controller would start the second; reading does not.
    assert.deepEqual(o!.status, { active: 0, succeeded: 1, failed: 0, startTime: '2026-01-01T00:00:00.000Z' });
    assert.equal(await readFile(join(dir, 'objects', 'job', 'default_check.json'), 'utf8'), before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('get of a Deployment: counters from the pods now, conditions and observedGeneration as the controller stored them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-read-'));
  try {
    const store = new ObjectStore(dir);
    const conditions = [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }];
    await store.put({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', generation: 2 },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
      status: { observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2, conditions },
    });
    const web = { ...pod('web-a', app('running', 'Up 3 minutes')), labels: { app: 'web', 'pod-template-hash': 'old' } };
    const ctx: WorkloadContext = { pods: listOnly(dir, [web]), store, defaults: { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'pause' }, readyTimeoutMs: 1000 };
    const [o] = await listObjects(ctx, 'Deployment', 'default', ['web']);
    const status = o!.status as Record<string, unknown>;
    assert.deepEqual([status.observedGeneration, status.replicas, status.readyReplicas, status.availableReplicas, status.unavailableReplicas], [1, 1, 1, 1, 1]);
    assert.equal(status.updatedReplicas, 0);
    assert.deepEqual(status.conditions, conditions);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
