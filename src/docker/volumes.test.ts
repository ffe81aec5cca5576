import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { DockerVolumes } from './volumes.js';
import { PodctlError } from '../util/errors.js';

/** A dockerode stand-in whose volume calls fail with `error` (or succeed when it is undefined). */
function fakeDocker(error?: unknown): { docker: Dockerode; calls: string[] } {
  const calls: string[] = [];
  const run = (call: string) => async () => {
    calls.push(call);
    if (error !== undefined) throw error;
    return {};
  };
  const docker = { getVolume: (name: string) => ({ inspect: run(`inspect ${name}`), remove: run(`remove ${name}`) }) } as unknown as Dockerode;
  return { docker, calls };
}

const httpError = (statusCode: number) => Object.assign(new Error(`(HTTP code ${statusCode})`), { statusCode });

describe('DockerVolumes exists/remove', () => {
  it('answers true when the call ran', async () => {
    const { docker, calls } = fakeDocker();
    const volumes = new DockerVolumes(docker);
    assert.equal(await volumes.exists('v'), true);
    assert.equal(await volumes.remove('v'), true);
    assert.deepEqual(calls, ['inspect v', 'remove v']);
  });

  it('answers false for a volume that does not exist (404)', async () => {
    const volumes = new DockerVolumes(fakeDocker(httpError(404)).docker);
    assert.equal(await volumes.exists('v'), false);
    assert.equal(await volumes.remove('v'), false);
  });

  it('passes other engine errors through, and names the call when no engine answers', async () => {
    const inUse = httpError(409);
    const volumes = new DockerVolumes(fakeDocker(inUse).docker);
    await assert.rejects(volumes.remove('v'), (err) => err === inUse);
    const down = new DockerVolumes(fakeDocker(Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' })).docker);
    await assert.rejects(down.remove('v'), (err) => err instanceof PodctlError && /cannot remove volume v/.test(err.message));
    await assert.rejects(down.exists('v'), (err) => err instanceof PodctlError && /cannot inspect volume v/.test(err.message));
  });
});
