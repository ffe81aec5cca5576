import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerStdio } from '../docker/containers.js';
import { containerStdio, dockerLimits, podImages } from './create-pod.js';
import type { PodSpec } from './spec.js';

test('resources, security context, tmpfs and init become Docker HostConfig fields', () => {
  assert.deepEqual(
    dockerLimits({
      name: 'c',
      image: 'busybox',
      env: {},
      resources: { memoryBytes: 64 * 2 ** 20, memoryReservationBytes: 32 * 2 ** 20, cpus: 0.5, cpuShares: 256 },
      security: { privileged: true, readOnlyRootFilesystem: true, capAdd: ['NET_ADMIN'], capDrop: ['ALL'], allowPrivilegeEscalation: false },
      tmpfs: { '/run': 'size=1m' },
      init: true,
    }),
    {
      Memory: 64 * 2 ** 20,
      MemoryReservation: 32 * 2 ** 20,
      NanoCpus: 500_000_000,
      CpuShares: 256,
      Privileged: true,
      ReadonlyRootfs: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Tmpfs: { '/run': 'size=1m' },
      Init: true,
    },
  );
  assert.deepEqual(dockerLimits({ name: 'c', image: 'busybox', env: {} }), {});
});

test('a pod fetches its pause and its IfNotPresent images when one is missing, not Always or Never ones', () => {
  const spec = {
    pauseImage: 'pause:1',
    initContainers: [{ name: 'i', image: 'busybox', env: {} }],
    containers: [
      { name: 'a', image: 'nginx', env: {}, pullPolicy: 'IfNotPresent' },
      { name: 'b', image: 'redis', env: {}, pullPolicy: 'Always' },
      { name: 'c', image: 'local', env: {}, pullPolicy: 'Never' },
    ],
  } as unknown as PodSpec;
  assert.deepEqual(podImages(spec), ['pause:1', 'busybox', 'nginx']);
});

test("a container's stdin, stdinOnce and tty become Docker's OpenStdin, AttachStdin, StdinOnce and Tty", () => {
  // kubectl run -it --rm: an open stdin closed after the first attach, and a terminal.
  assert.deepEqual(dockerStdio(containerStdio({ stdin: true, stdinOnce: true, tty: true })), { Tty: true, OpenStdin: true, AttachStdin: true, StdinOnce: true });
  // kubectl attach to a manifest's shell: stdin stays open across attaches.
  assert.deepEqual(dockerStdio(containerStdio({ stdin: true })), { Tty: false, OpenStdin: true, AttachStdin: true, StdinOnce: false });
  // stdinOnce means nothing without an open stdin, as on a cluster.
  assert.deepEqual(dockerStdio(containerStdio({ stdinOnce: true, tty: true })), { Tty: true });
  assert.deepEqual(dockerStdio(containerStdio({})), { Tty: false });
});
