import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { containerEventQuery, endpointOf, engineFromVersion, podNamespaces } from './engine.js';

// Trimmed `GET /version` answers of the two engines on this machine (dockerd 20.10, podman 4.3).
const DOCKERD = {
  Components: [{ Name: 'Engine', Version: '20.10.24+dfsg1' }, { Name: 'containerd', Version: '1.6.20~ds1' }],
  Version: '20.10.24+dfsg1',
  ApiVersion: '1.41',
};
const PODMAN = {
  Components: [{ Name: 'Podman Engine', Version: '4.3.1' }, { Name: 'Conmon', Version: 'conmon version 2.1.6' }],
  Version: '4.3.1',
  ApiVersion: '1.41',
};

test('engineFromVersion tells dockerd from podman by the engine component', () => {
  assert.deepEqual(engineFromVersion(DOCKERD), { name: 'docker', version: '20.10.24+dfsg1', apiVersion: '1.41' });
  assert.deepEqual(engineFromVersion(PODMAN), { name: 'podman', version: '4.3.1', apiVersion: '1.41' });
  assert.deepEqual(engineFromVersion({}), { name: 'docker', version: 'unknown', apiVersion: 'unknown' });
});

test('podNamespaces joins the UTS namespace on podman only (dockerd rejects that mode)', () => {
  assert.deepEqual(podNamespaces('docker', 'p1', false), { NetworkMode: 'container:p1', IpcMode: 'container:p1' });
  assert.deepEqual(podNamespaces('docker', 'p1', true), { NetworkMode: 'container:p1', IpcMode: 'container:p1', PidMode: 'container:p1' });
  assert.deepEqual(podNamespaces('podman', 'p1', false), { NetworkMode: 'container:p1', IpcMode: 'container:p1', UTSMode: 'container:p1' });
});

test('endpointOf resolves the socket\'s directory (as /var/run -> /run), whether the socket exists or not', async (t) => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'podctl-endpoint-')));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'run'));
  await symlink(join(dir, 'run'), join(dir, 'var-run'));
  const client = (socket: string | undefined, tcp: object = {}) => ({ modem: { getSocketPath: async () => socket, ...tcp } }) as unknown as Dockerode;
  const viaLink = join(dir, 'var-run', 'engine.sock');
  assert.equal(await endpointOf(client(viaLink)), `unix://${dir}/run/engine.sock`, 'engine down: no socket yet');
  await writeFile(join(dir, 'run', 'engine.sock'), '');
  assert.equal(await endpointOf(client(viaLink)), `unix://${dir}/run/engine.sock`, 'engine up: the same answer');
  assert.equal(await endpointOf(client('/nonexistent/podman.sock')), 'unix:///nonexistent/podman.sock');
  assert.equal(await endpointOf(client(undefined, { protocol: 'http', host: '127.0.0.1', port: '2375' })), 'http://127.0.0.1:2375');
  // dockerode's own lookup of the default socket, with no DOCKER_HOST.
  const { default: Docker } = await import('dockerode');
  const saved = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  t.after(() => (saved === undefined ? undefined : void (process.env.DOCKER_HOST = saved)));
  assert.match(await endpointOf(new Docker()), /^unix:\/\/\/.+\/docker\.sock$/);
});

test('containerEventQuery: dockerd filters on its side; podman gets the type only and the label and names are checked here', () => {
  const events = ['start', 'die', 'destroy'];
  assert.deepEqual(containerEventQuery('docker', 'io.podctl.pod', events), { filters: { type: ['container'], label: ['io.podctl.pod'], event: events } });
  const { filters, keep } = containerEventQuery('podman', 'io.podctl.pod', events);
  assert.deepEqual(filters, { type: ['container'] });
  const ev = (Action: string, Attributes: Record<string, string>) => ({ Action, Actor: { Attributes } });
  assert.deepEqual(
    [ev('die', { 'io.podctl.pod': 'web' }), ev('remove', { 'io.podctl.pod': 'web' }), ev('die', { other: 'x' }), ev('cleanup', { 'io.podctl.pod': 'web' })].map((e) => keep!(e)),
    [true, true, false, false],
  );
});
