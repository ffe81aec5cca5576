import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerLimits } from './create-pod.js';

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
