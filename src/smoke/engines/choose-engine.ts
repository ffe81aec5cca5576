import { PodctlError, messageOf } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { RunProgram } from '../../util/run-command.js';
import type { EngineName } from '../types.js';
import type { SandboxEngine } from './engine.js';
import { NetnsEngine } from './netns-engine.js';

/** How long the engine may take to answer a ping before the netns engine is used instead. */
const PING_TIMEOUT_MS = 3000;

/**
 * `--engine docker` insists on an answering engine; `--engine netns` never touches Docker;
 * without the flag Docker is used when it answers, else bare namespaces.
 */
export async function chooseEngine(requested: EngineName | undefined, runId: string, run: RunProgram, logger: Logger): Promise<SandboxEngine> {
  if (requested === 'netns') return new NetnsEngine(run);
  const { openDocker } = await import('../../docker/client.js');
  const docker = await openDocker();
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS).unref()),
    ]);
  } catch (err) {
    if (requested === 'docker') {
      throw new PodctlError('UNAVAILABLE', `--engine docker: no Docker engine answers: ${messageOf(err)}`, {
        hint: 'start dockerd or use --engine netns',
      });
    }
    logger.info('no Docker engine answers; using bare network namespaces', { error: messageOf(err) });
    return new NetnsEngine(run);
  }
  const { DockerEngine } = await import('./docker-engine.js');
  return new DockerEngine(docker, runId, logger);
}
