import { PodctlError } from '../util/errors.js';
import type { PodCheckpoint } from './checkpoint.js';
import type { PodDeps } from './context.js';
import { LABEL } from './labels.js';
import { detachNetworks, type DetachFailure } from './network.js';
import { removeLeftoverRules } from '../netns/iptables-leftovers.js';
import type { ContainerSummary } from '../docker/containers.js';
import { releaseVolumes } from './volumes.js';
import { removesJoinedLast } from '../docker/engine.js';
import { settleAll } from '../util/settle.js';

/**
 * Tears a pod's network down and stops (or removes) its containers. CNI DEL runs while
 * the pinned namespace still exists, with the cached config and result; when the pin is
 * gone DEL still runs with an empty CNI_NETNS so IPAM releases the address.
 */
export async function releaseNetworks(deps: PodDeps, checkpoint: PodCheckpoint, force = false): Promise<void> {
  const pinned = checkpoint.netnsPinned && (await deps.pins.exists(checkpoint.netnsName));
  const netnsPath = pinned ? deps.pins.path(checkpoint.netnsName) : await livePauseNetns(deps, checkpoint);
  const failures = await deps.steps.run('cni-del', () => detachNetworks(deps.cni, checkpoint, netnsPath, deps.logger));
  if (failures.length > 0 && !force) {
    throw new PodctlError('CNI', `cannot release the network of pod ${checkpoint.name}: ${failures.map((f) => f.error.message).join('; ')}`, {
      hint: 'fix the cause and retry (podctl kept what it needs to), or remove the pod with force',
      cause: failures[0]?.error,
    });
  }
  for (const failure of failures) await scrub(deps, checkpoint, failure);
  // Without the namespace the bridge plugin's DEL cannot find its ipMasq chain: remove it here.
  if (netnsPath === '' && checkpoint.pauseId) {
    const removed = await removeLeftoverRules(deps.host.read, deps.host.run, checkpoint.pauseId);
    if (removed > 0) deps.logger.info('removed iptables rules the plugins left', { pod: checkpoint.name, rules: removed });
  }
  checkpoint.attachments = [];
  checkpoint.networksPending = [];
  await deps.steps.run('unpin-netns', () => deps.pins.unpin(checkpoint.netnsName));
  checkpoint.netnsPinned = false;
}

/**
 * A forced removal whose DEL failed: release the address files and iptables rules the
 * standard plugins leave, drop the cache entry, and say so. The namespace (and with it the
 * container's veth) goes when it is unpinned.
 */
async function scrub(deps: PodDeps, checkpoint: PodCheckpoint, failure: DetachFailure): Promise<void> {
  if (!checkpoint.pauseId) return;
  const net = await deps.cni.getNetwork(failure.network).catch(() => undefined);
  const removed = await deps.cni.scrubAttachment(net, { network: failure.network, containerId: checkpoint.pauseId, ifName: failure.ifName, netns: '' });
  const rules = await removeLeftoverRules(deps.host.read, deps.host.run, checkpoint.pauseId);
  deps.logger.warn(`CNI DEL of network ${failure.network} failed (${failure.error.message}); removed what it left directly`, {
    pod: checkpoint.name,
    files: removed.length,
    rules,
  });
}

/** With the pin deleted behind podctl's back, a live pause still holds the namespace. */
async function livePauseNetns(deps: PodDeps, checkpoint: PodCheckpoint): Promise<string> {
  if (!checkpoint.pauseId || checkpoint.attachments.length + checkpoint.networksPending.length === 0) return '';
  const pause = await deps.containers.inspect(checkpoint.pauseId);
  return pause?.running && pause.pid > 0 ? `/proc/${pause.pid}/ns/net` : '';
}

export async function stopContainers(deps: PodDeps, members: ContainerSummary[], timeoutSeconds: number): Promise<void> {
  const { apps, pause } = appsAndPause(members);
  await deps.steps.run('stop-containers', () => Promise.all(apps.map((c) => deps.containers.stop(c.id, timeoutSeconds))));
  await deps.steps.run('stop-pause', () => Promise.all(pause.map((c) => deps.containers.stop(c.id, 0))));
}

/**
 * A pod's containers split into its apps and its pause. Apps stop first: they join the pause.
 */
export function appsAndPause(members: ContainerSummary[]): { apps: ContainerSummary[]; pause: ContainerSummary[] } {
  return { apps: members.filter((c) => c.labels[LABEL.role] !== 'pause'), pause: members.filter((c) => c.labels[LABEL.role] === 'pause') };
}

/**
 * Removes the apps and the pause; on dockerd all at once (the pause's kill-and-wait overlaps the
 * apps'), on podman the pause after its apps. The engine is asked while the apps go.
 */
export async function removeContainers(deps: PodDeps, members: ContainerSummary[]): Promise<void> {
  const { apps, pause } = appsAndPause(members);
  const remove = (list: ContainerSummary[]) => Promise.all(list.map((c) => deps.containers.remove(c.id)));
  const appsGone = remove(apps);
  const pauseGone = (async () => {
    if (removesJoinedLast((await deps.containers.engine()).name)) await appsGone.catch(() => undefined);
    await remove(pause);
  })();
  await settleAll<unknown>([appsGone, pauseGone]);
}

export async function stopPod(deps: PodDeps, checkpoint: PodCheckpoint, members: ContainerSummary[], timeoutSeconds: number): Promise<void> {
  checkpoint.phase = 'stopping';
  await deps.store.write(checkpoint);
  await releaseNetworks(deps, checkpoint);
  await stopContainers(deps, members, timeoutSeconds);
  checkpoint.phase = 'stopped';
  await deps.store.write(checkpoint);
}

/**
 * Removes everything of a pod. With a pinned namespace the network teardown and the
 * container removal do not depend on each other, so they run at once.
 */
export async function removePod(deps: PodDeps, checkpoint: PodCheckpoint | undefined, members: ContainerSummary[], force = false): Promise<void> {
  const removeAll = () => deps.steps.run('remove-containers', () => removeContainers(deps, members));
  if (!checkpoint) {
    await removeAll();
    return;
  }
  checkpoint.phase = 'removing';
  await deps.store.write(checkpoint);
  const pinned = checkpoint.netnsPinned && (await deps.pins.exists(checkpoint.netnsName));
  if (pinned) {
    const [network, removal] = await Promise.allSettled([releaseNetworks(deps, checkpoint, force), removeAll()]);
    if (network.status === 'rejected') throw network.reason;
    if (removal.status === 'rejected') throw removal.reason;
  } else {
    await releaseNetworks(deps, checkpoint, force);
    await removeAll();
  }
  await deps.steps.run('release-volumes', () => releaseVolumes(deps, checkpoint));
  await deps.store.remove(checkpoint);
}
