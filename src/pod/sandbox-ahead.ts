import type { FileLock } from '../util/file-lock.js';
import type { PodCheckpoint } from './checkpoint.js';
import type { PodDeps } from './context.js';
import { createContainers, createSandbox } from './create-pod.js';
import { podFilter } from './labels.js';
import { preparePod } from './prepare.js';
import type { PodSpec } from './spec.js';
import { startContainers, startSandbox } from './start-pod.js';
import { withRollback } from './steps.js';
import { removePod } from './teardown.js';

/**
 * A pod's sandbox made before its containers are known (PodSession's `prepareAhead`): the
 * pause, its pinned namespace, the networks and the pod files, the same steps as `run`. It is
 * a pod in phase `starting` whose lock its maker holds until the containers come (fill) or
 * it is discarded: `podctl gc` leaves it alone while that process lives, and removes it as an
 * interrupted run once the process is gone.
 */
export interface PreparedSandbox {
  /** The spec it was made for; a pod filling it takes this name. */
  readonly spec: PodSpec;
  readonly checkpoint: PodCheckpoint;
  readonly lock: FileLock;
}

/**
 * What of a spec shapes its sandbox (the pause's labels and hostname, the networks and their
 * capability args, resolv.conf and hosts). Two specs with the same key, names aside, can use
 * the same prepared sandbox.
 */
export function sandboxKey(spec: PodSpec): string {
  const { namespace, hostname, subdomain, labels, networks, portMappings, dns, hostAliases, pauseImage, bandwidth, session } = spec;
  return JSON.stringify({ namespace, hostname, subdomain, labels, networks, portMappings, dns, hostAliases, pauseImage, bandwidth, session });
}

export async function prepareSandbox(deps: PodDeps, spec: PodSpec): Promise<PreparedSandbox> {
  const networks = await preparePod(deps, spec);
  const lock = await deps.lockPod(spec);
  try {
    const checkpoint = await withRollback(deps.logger, async (rollback) => {
      const made = await createSandbox(deps, spec, rollback);
      await startSandbox(deps, made, networks, rollback);
      return made;
    });
    return { spec, checkpoint, lock };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/**
 * Creates and starts the containers of `spec` in a prepared sandbox (same name and same
 * sandboxKey). The checkpoint records the full spec before any container exists. On failure
 * the whole pod is removed, as a failed `run` leaves nothing.
 */
export async function fillSandbox(deps: PodDeps, sandbox: PreparedSandbox, spec: PodSpec): Promise<void> {
  const { checkpoint } = sandbox;
  try {
    await withRollback(deps.logger, async (rollback) => {
      checkpoint.spec = spec;
      await deps.store.write(checkpoint);
      const members = await createContainers(deps, spec, checkpoint.pauseId!, rollback);
      await startContainers(deps, checkpoint, members, rollback);
    });
  } catch (err) {
    await removeHeld(deps, checkpoint).catch(() => undefined);
    throw err;
  } finally {
    await sandbox.lock.release();
  }
}

/** Removes a prepared sandbox that no pod will use. */
export async function discardSandbox(deps: PodDeps, sandbox: PreparedSandbox): Promise<void> {
  try {
    await removeHeld(deps, sandbox.checkpoint);
    // Its resolv.conf named the cluster DNS: the server goes when no other pod needs it.
    if (sandbox.checkpoint.clusterDns) await deps.services?.leave(sandbox.checkpoint);
  } finally {
    await sandbox.lock.release();
  }
}

async function removeHeld(deps: PodDeps, checkpoint: PodCheckpoint): Promise<void> {
  await removePod(deps, checkpoint, await deps.containers.list(podFilter(checkpoint.name, checkpoint.namespace)), true);
}
