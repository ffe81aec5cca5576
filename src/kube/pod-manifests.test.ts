import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodManager } from '../pod/manager.js';
import type { PodSpec } from '../pod/spec.js';
import type { PodView } from '../pod/status.js';
import { PodctlError } from '../util/errors.js';
import { podManifests } from './pod-manifests.js';

const view = (name: string): PodView => ({
  name, namespace: 'default', id: name, state: 'running', ips: [], netns: '', networks: [], labels: {}, created: '2026-01-01T00:00:00.000Z',
  pause: { id: name, image: 'pause', state: 'running' }, ready: 1, total: 1,
  containers: [{ name: 'c', id: `${name}-c`, image: 'busybox', role: 'app', state: 'running', status: 'Up 2 seconds' }],
});
const spec = (name: string): PodSpec => ({
  name, namespace: 'default', labels: {}, annotations: {}, networks: ['podctl'], portMappings: [], dns: { servers: [], searches: [], options: [] }, hostAliases: [],
  sharePid: false, restartPolicy: 'no', pauseImage: 'pause', initContainers: [], containers: [{ name: 'c', image: 'busybox', env: {} }], stopTimeout: 10,
});

test('a pod removed between its inspect and its checkpoint read is left out; a pod that is still there without one is an error', async () => {
  const removed = new Set<string>();
  const pods = {
    inspect: async (v: PodView) => {
      if (removed.has(v.name)) throw new PodctlError('NOT_FOUND', `no pod ${v.name}`);
      return v;
    },
    countRestarts: async () => undefined,
    // The removal ran right after the inspect: containers first, then the checkpoint.
    getSpec: async (v: PodView) => {
      if (v.name !== 'gone') return spec(v.name);
      removed.add(v.name);
      return undefined;
    },
  } as unknown as PodManager;
  const listed = await podManifests(pods, [view('a'), view('gone'), view('b')], 'podctl');
  assert.deepEqual(listed.map((p) => p.metadata.name), ['a', 'b']);

  const broken = { ...pods, getSpec: async () => undefined } as unknown as PodManager;
  await assert.rejects(podManifests(broken, [view('a')], 'podctl'), /pod a has no checkpoint to describe/);
});
