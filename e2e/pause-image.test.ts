import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { buildPauseImage } from '../src/docker/pause-image.js';
import { packageRoot } from '../src/util/paths.js';

// Builds podctl's pause image under a tag of its own, runs it, and checks that it stops
// promptly on SIGTERM with status 0: the engine must not need to fall back to SIGKILL.
test('the pause image builds, runs, and exits 0 within 1 s of SIGTERM', async (t) => {
  const docker = new Docker();
  const unique = `${process.pid}-${Date.now()}`;
  const image = `localhost/pct-pause-e2e:${unique}`;
  const name = `pct-pause-e2e-${unique}`;
  t.after(async () => {
    await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  });

  await buildPauseImage(docker, image);
  const config = (await docker.getImage(image).inspect()).Config;
  assert.deepEqual(config.Entrypoint, ['/pause']);

  const container = await docker.createContainer({ Image: image, name, HostConfig: { NetworkMode: 'none' } });
  await container.start();
  assert.equal((await container.inspect()).State.Running, true);

  const started = Date.now();
  await container.kill({ signal: 'SIGTERM' });
  const { StatusCode } = (await container.wait()) as { StatusCode: number };
  const elapsed = Date.now() - started;
  assert.equal(StatusCode, 0);
  assert.ok(elapsed < 1000, `pause took ${elapsed} ms to exit after SIGTERM`);
  assert.equal((await container.logs({ stdout: true, stderr: true })).length, 0, 'pause printed output without -v');

  await container.remove();
  await docker.getImage(image).remove();
  const leftovers = await docker.listImages({ filters: { reference: [image] } });
  assert.equal(leftovers.length, 0);
});

test('without the prebuilt binary, the pause image is compiled from pause.c', async (t) => {
  const docker = new Docker();
  const image = `localhost/pct-pause-e2e:src-${process.pid}-${Date.now()}`;
  const dir = await mkdtemp(join(tmpdir(), 'pct-pause-e2e-'));
  t.after(async () => {
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  await copyFile(join(packageRoot(), 'images/pause/pause.c'), join(dir, 'pause.c'));

  await buildPauseImage(docker, image, { pauseDir: dir });
  const inspected = await docker.getImage(image).inspect();
  assert.deepEqual(inspected.Config.Entrypoint, ['/pause']);
  assert.ok(inspected.Size > 100_000 && inspected.Size < 2_000_000, `unexpected image size ${inspected.Size}`);
});
