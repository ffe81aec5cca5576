import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CniRuntime } from '../cni/index.js';
import { NETNS_DIR } from '../netns/pins.js';
import { messageOf } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { lockDir, type StatePaths } from '../util/paths.js';
import { runProgram, type RunProgram } from '../util/run-command.js';

/**
 * cni test's own CNI cache, apart from the pods' one: `podctl gc` reconciles that cache
 * against pods and would DEL the test's throwaway attachments in the middle of a run.
 */
export const smokeCacheDir = (paths: StatePaths): string => join(paths.stateDir, 'cni-test', 'cache');

/** The sandbox names runSmoke gives: cnitest-<run id>-<network #>-<pod #>. */
export const SANDBOX_NAME = /^cnitest-[0-9a-f]{6}-\d+-\d+$/;

export interface RemoveKeptOptions {
  cniPath: string[];
  statePaths: StatePaths;
  /** Default: the host's programs; unit tests pass a fake. */
  runHost?: RunProgram;
  logger: Logger;
}

/**
 * `podctl cni test --cleanup`: undoes what `--keep` left. DEL of every cached attachment whose
 * namespace is a cni-test sandbox (the cache has the config and result DEL needs), then the
 * Docker pause containers of cni test, then the namespaces. Returns one line per action.
 */
export async function removeKept(opts: RemoveKeptOptions): Promise<string[]> {
  const done: string[] = [];
  const runtime = new CniRuntime({
    confDir: opts.statePaths.stateDir,
    cniPath: opts.cniPath,
    cacheDir: smokeCacheDir(opts.statePaths),
    lockDir: lockDir(opts.statePaths),
    logger: opts.logger,
  });
  for (const a of await runtime.listCachedAttachments()) {
    if (!SANDBOX_NAME.test(basename(a.netns))) continue;
    await runtime.delNetworkList(undefined, { network: a.network, containerId: a.containerId, ifName: a.ifName, netns: a.netns });
    done.push(`CNI DEL ${a.network} ${basename(a.netns)} ${a.ifName}`);
  }
  done.push(...(await removeContainers(opts.logger)));
  for (const name of (await readdir(NETNS_DIR).catch(() => [] as string[])).filter((n) => SANDBOX_NAME.test(n))) {
    const r = await (opts.runHost ?? runProgram)('ip', ['netns', 'delete', name]);
    done.push(r.exitCode === 0 ? `removed namespace ${name}` : `could not remove namespace ${name}: ${r.stderr.trim()}`);
  }
  return done;
}

async function removeContainers(logger: Logger): Promise<string[]> {
  try {
    const [{ openDocker }, { DockerContainers }, { CNI_TEST_LABEL }] = await Promise.all([
      import('../docker/client.js'), import('../docker/containers.js'), import('./engines/docker-engine.js'),
    ]);
    const containers = new DockerContainers(await openDocker());
    const found = await containers.list([CNI_TEST_LABEL]);
    for (const c of found) await containers.remove(c.id);
    return found.map((c) => `removed pause container ${c.name}`);
  } catch (err) {
    logger.info('no Docker cleanup', { error: messageOf(err) });
    return [];
  }
}
