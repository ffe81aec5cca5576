import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary } from '../docker/containers.js';
import { newCheckpoint } from './create-pod.js';
import type { PodSpec } from './spec.js';
import { podView } from './status.js';

const spec: PodSpec = {
  name: 'web', namespace: 'default', labels: {}, annotations: {}, networks: ['podctl'], portMappings: [], hostAliases: [],
  sharePid: false, restartPolicy: 'no', pauseImage: 'localhost/podctl-pause:3.10', initContainers: [],
  containers: [{ name: 'web', image: 'nginx', env: {} }], stopTimeout: 10,
};

function member(role: string, image: string, container?: string): ContainerSummary {
  const labels: Record<string, string> = { 'io.podctl.pod': 'web', 'io.podctl.namespace': 'default', 'io.podctl.role': role };
  if (container) labels['io.podctl.container'] = container;
  return { id: `${role}-id`, name: `podctl_${role}`, image, state: 'running', status: 'Up 2 seconds', labels, created: 0 };
}

test('a pod shows its images as its spec names them, whatever name the engine resolved them to', () => {
  // podman reports the resolved localhost/ name; dockerd the name as given.
  const members = [member('pause', 'sha256:0123'), member('app', 'localhost/nginx:latest', 'web')];
  const view = podView({ ...newCheckpoint(spec), phase: 'running' }, members, spec);
  assert.equal(view.pause.image, 'localhost/podctl-pause:3.10');
  assert.deepEqual(view.containers.map((c) => [c.name, c.image]), [['web', 'nginx']]);
  // Without a checkpoint (state deleted behind podctl's back) the engine's name is all there is.
  assert.deepEqual(podView(undefined, members, spec).containers.map((c) => c.image), ['localhost/nginx:latest']);
});
