import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isPodctlError } from '../util/errors.js';
import { PodStore, type PodCheckpoint } from './checkpoint.js';
import { newCheckpoint } from './create-pod.js';
import type { PodSpec } from './spec.js';

const DOCKERD = 'unix:///run/docker.sock';
const PODMAN = 'unix:///run/podman/podman.sock';

function spec(name: string): PodSpec {
  return {
    name, namespace: 'default', labels: {}, annotations: {}, networks: ['podctl'], portMappings: [], hostAliases: [],
    sharePid: false, restartPolicy: 'no', pauseImage: 'localhost/podctl-pause:3.10', initContainers: [],
    containers: [{ name: 'web', image: 'nginx', env: {} }], stopTimeout: 10,
  };
}

async function stateDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-store-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('each engine lists its own pods; reading another engine\'s pod names that engine', async (t) => {
  const dir = await stateDir(t);
  const onDocker = new PodStore(dir, DOCKERD);
  const onPodman = new PodStore(dir, PODMAN);
  await onDocker.write(newCheckpoint(spec('web')));
  await onPodman.write(newCheckpoint(spec('db')));

  assert.deepEqual((await onDocker.list()).map((c) => [c.name, c.engine]), [['web', DOCKERD]]);
  assert.deepEqual((await onPodman.list()).map((c) => c.name), ['db']);
  assert.deepEqual((await onDocker.listAllEngines()).map((c) => c.name).sort(), ['db', 'web']);
  await assert.rejects(onDocker.read({ name: 'db', namespace: 'default' }), (err) => {
    assert.ok(isPodctlError(err, 'FAILED_PRECONDITION'));
    assert.equal(err.message, `pod db lives on the engine at ${PODMAN}, not on ${DOCKERD}`);
    assert.match(err.hint ?? '', new RegExp(`DOCKER_HOST=${PODMAN}`));
    return true;
  });
});

test('a checkpoint from before engines were recorded is every engine\'s, and takes the first writer\'s', async (t) => {
  const dir = await stateDir(t);
  const legacy: PodCheckpoint = newCheckpoint(spec('old'));
  await new PodStore(dir).write(legacy);
  const onPodman = new PodStore(dir, PODMAN);
  assert.equal((await new PodStore(dir, DOCKERD).list()).length, 1);
  const read = await onPodman.read(legacy);
  assert.equal(read?.engine, undefined);
  await onPodman.write(read!);
  assert.equal((await new PodStore(dir, DOCKERD).list()).length, 0);
});

test('ensurePodFiles creates missing bind sources as empty files and keeps existing content', async (t) => {
  const dir = await stateDir(t);
  const store = new PodStore(dir, DOCKERD);
  const ref = { name: 'web', namespace: 'default' };
  await store.writePodFile(ref, 'hosts', '127.0.0.1 localhost\n');
  await store.ensurePodFiles(ref, ['resolv.conf', 'hosts']);
  assert.ok((await stat(join(store.podDir(ref), 'resolv.conf'))).isFile());
  assert.equal(await readFile(join(store.podDir(ref), 'resolv.conf'), 'utf8'), '');
  assert.equal(await readFile(join(store.podDir(ref), 'hosts'), 'utf8'), '127.0.0.1 localhost\n');
});

test('strayWrites: a checkpoint write whose podctl was killed, in any pod directory; not a finished checkpoint', async (t) => {
  const dir = await stateDir(t);
  const store = new PodStore(dir, DOCKERD);
  const done = newCheckpoint(spec('done'));
  await store.write(done);
  const half = join(store.podDir({ name: 'half', namespace: 'default' }), '.checkpoint.json.99999999.mxb63xaj.tmp');
  await mkdir(dirname(half), { recursive: true });
  await writeFile(half, '');
  assert.deepEqual(await store.strayWrites(), [half]);
  assert.deepEqual(await new PodStore(join(dir, 'missing')).strayWrites(), []);
});
