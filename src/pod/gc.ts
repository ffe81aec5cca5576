import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../util/errors.js';
import { removeLeftoverRules } from '../netns/iptables-leftovers.js';
import { deleteTraceTable, staleTraceTables } from '../netns/trace-tables.js';
import type { PodCheckpoint } from './checkpoint.js';
import type { PodDeps } from './context.js';
import { ALL_PODS_FILTER, LABEL, podFilter } from './labels.js';
import { formatPodRef, podKey } from './naming.js';
import { removePod, releaseNetworks, stopContainers } from './teardown.js';
import type { ContainerSummary } from '../docker/containers.js';
import { groupByPod } from './status.js';

/** One thing gc found, what it does about it, and how that went. */
export interface GcAction {
  kind: 'pod' | 'container' | 'attachment' | 'ip-file' | 'nft-table';
  target: string;
  action: 'remove' | 'stop' | 'release';
  reason: string;
  error?: string;
}

export interface GcOptions {
  dryRun: boolean;
  /** Also remove every pod of this session (a crashed test run's pods). */
  session?: string;
}

/**
 * Reconciles every place podctl leaves state with what should exist. Pods whose operation
 * was interrupted (a killed podctl) are finished: a half-made `run` is removed, a half-done
 * start or stop ends stopped. Containers without a pod, CNI attachments without a pod, and IP
 * files in podctl's own IPAM directories without a pod are released; the nftables tables of a
 * killed `podctl trace --live` are removed. Pods whose lock is held belong to a podctl at work
 * and are left alone; so is anything not podctl's.
 */
export async function collectGarbage(deps: PodDeps, ipamDirs: string[], options: GcOptions): Promise<GcAction[]> {
  const [containers, checkpoints] = await Promise.all([deps.containers.list(ALL_PODS_FILTER), deps.store.list()]);
  const groups = groupByPod(containers);
  const run: GcRun = { deps, options, actions: [], keptPauseIds: new Set<string>() };
  await finishInterruptedPods(run, checkpoints, groups);
  await removeContainersWithoutPod(run, groups);
  await keepWhatLiveContainersName(run);
  await releaseAttachmentsWithoutPod(run);
  await removeIpFilesWithoutPod(run, ipamDirs);
  await removeStaleTraceTables(run);
  return run.actions;
}

/** One gc pass: what it found so far and the container ids it must not release. */
interface GcRun {
  deps: PodDeps;
  options: GcOptions;
  actions: GcAction[];
  /** Container ids (pauses) some pod or live container still names. */
  keptPauseIds: Set<string>;
}

/** Pods whose operation was interrupted: judged, then (under the pod's lock, judged again) finished. */
async function finishInterruptedPods(run: GcRun, checkpoints: PodCheckpoint[], groups: Map<string, ContainerSummary[]>): Promise<void> {
  const { deps, options, actions, keptPauseIds } = run;
  for (const checkpoint of checkpoints) {
    const members = groups.get(podKey(checkpoint)) ?? [];
    groups.delete(podKey(checkpoint));
    const verdict = judgePod(checkpoint, members, options.session);
    if (!verdict) {
      if (checkpoint.pauseId) keptPauseIds.add(checkpoint.pauseId);
      continue;
    }
    const action: GcAction = { kind: 'pod', target: formatPodRef(checkpoint), action: verdict.action, reason: verdict.reason };
    actions.push(action);
    if (options.dryRun) continue;
    let lock;
    try {
      lock = await deps.lockPod(checkpoint, 2000);
    } catch (err) {
      action.error = `${messageOf(err)} (skipped: another podctl is working on it)`;
      if (checkpoint.pauseId) keptPauseIds.add(checkpoint.pauseId);
      continue;
    }
    try {
      // Judge again under the lock: the operation we saw may have finished meanwhile.
      const fresh = await deps.store.read(checkpoint);
      const freshMembers = await deps.containers.list(podFilter(checkpoint.name, checkpoint.namespace));
      const again = fresh ? judgePod(fresh, freshMembers, options.session) : undefined;
      if (!fresh || !again) {
        action.error = 'skipped: the pod changed meanwhile';
        if (fresh?.pauseId) keptPauseIds.add(fresh.pauseId);
      } else if (again.action === 'remove') {
        await removePod(deps, fresh, freshMembers, true);
      } else {
        await releaseNetworks(deps, fresh, true);
        await stopContainers(deps, freshMembers, 0);
        fresh.phase = 'stopped';
        await deps.store.write(fresh);
        if (fresh.pauseId) keptPauseIds.add(fresh.pauseId);
      }
    } catch (err) {
      action.error = messageOf(err);
      if (checkpoint.pauseId) keptPauseIds.add(checkpoint.pauseId);
    } finally {
      await lock.release();
    }
  }
}

async function removeContainersWithoutPod(run: GcRun, groups: Map<string, ContainerSummary[]>): Promise<void> {
  const { deps, options, actions } = run;
  // Containers of pods podctl has no checkpoint for (deleted state dir, crash before the first write).
  for (const members of groups.values()) {
    for (const c of members) {
      const action: GcAction = { kind: 'container', target: c.name, action: 'remove', reason: `pod ${c.labels[LABEL.pod]} has no podctl state` };
      actions.push(action);
      if (!options.dryRun) await deps.containers.remove(c.id).catch((err) => (action.error = messageOf(err)));
    }
  }
}

async function keepWhatLiveContainersName(run: GcRun): Promise<void> {
  const { deps, keptPauseIds } = run;
  // A pod being created right now has a pause container before its first CNI ADD, and
  // `podctl cni test --engine docker` wires pause containers of its own: whatever names a
  // container that exists is in use.
  for (const c of await deps.containers.list([])) keptPauseIds.add(c.id);
  for (const c of await deps.store.list()) if (c.pauseId) keptPauseIds.add(c.pauseId);
}

async function releaseAttachmentsWithoutPod(run: GcRun): Promise<void> {
  const { deps, options, actions, keptPauseIds } = run;
  // CNI attachments whose pod is gone: DEL them from the cache (config, args, result as at ADD).
  for (const cached of await deps.cni.listCachedAttachments()) {
    // Only the pod layer's attachments; `podctl cni add` (cnitool-style) ones are the user's.
    const byPodLayer = cached.args.some(([key]) => key === 'K8S_POD_INFRA_CONTAINER_ID');
    if (!byPodLayer || keptPauseIds.has(cached.containerId)) continue;
    const action: GcAction = { kind: 'attachment', target: `${cached.network}/${cached.containerId.slice(0, 12)}/${cached.ifName}`, action: 'release', reason: 'no pod uses it' };
    actions.push(action);
    if (options.dryRun) continue;
    const rt = { network: cached.network, containerId: cached.containerId, ifName: cached.ifName, netns: '' };
    try {
      // DEL first; when the plugin cannot run any more, release what it left directly.
      await deps.cni.delNetworkList(undefined, rt).catch(() => deps.cni.scrubAttachment(undefined, rt));
      await removeLeftoverRules(deps.host.read, deps.host.run, cached.containerId);
    } catch (err) {
      action.error = messageOf(err);
    }
  }
}

async function removeIpFilesWithoutPod(run: GcRun, ipamDirs: string[]): Promise<void> {
  const { deps, options, actions, keptPauseIds } = run;
  // host-local files in podctl's own IPAM directories naming a container no pod has.
  for (const file of await ipFiles(ipamDirs)) {
    if (keptPauseIds.has(file.containerId)) continue;
    const action: GcAction = { kind: 'ip-file', target: file.path, action: 'remove', reason: `address held for ${file.containerId.slice(0, 12)}, which no pod has` };
    actions.push(action);
    if (!options.dryRun) {
      await rm(file.path, { force: true }).catch((err) => (action.error = messageOf(err)));
      await removeLeftoverRules(deps.host.read, deps.host.run, file.containerId).catch(() => undefined);
    }
  }
}

/** nftables trace tables of a `podctl trace --live` that was killed (its pid is gone). */
async function removeStaleTraceTables(run: GcRun): Promise<void> {
  for (const table of await staleTraceTables()) {
    run.actions.push({ kind: 'nft-table', target: `ip ${table}`, action: 'remove', reason: 'its podctl trace --live is gone' });
    if (!run.options.dryRun) await deleteTraceTable(table);
  }
}

function judgePod(checkpoint: PodCheckpoint, members: ContainerSummary[], session: string | undefined): { action: GcAction['action']; reason: string } | undefined {
  if (session !== undefined && checkpoint.spec.session === session) return { action: 'remove', reason: `belongs to session ${session}` };
  const pause = members.find((c) => c.labels[LABEL.role] === 'pause');
  if (checkpoint.phase === 'creating') return { action: 'remove', reason: 'its creation was interrupted' };
  if (checkpoint.phase === 'removing') return { action: 'remove', reason: 'its removal was interrupted' };
  if ((checkpoint.phase === 'starting' || checkpoint.phase === 'stopping') && checkpoint.removeOnInterrupt) {
    return { action: 'remove', reason: 'podctl run was interrupted' };
  }
  if (!pause) return { action: 'remove', reason: 'its pause container is gone' };
  if (checkpoint.phase === 'starting' || checkpoint.phase === 'stopping') return { action: 'stop', reason: `its ${checkpoint.phase === 'starting' ? 'start' : 'stop'} was interrupted` };
  return undefined;
}

/** Files host-local writes: one per address, named by the IP, holding the container id. */
async function ipFiles(dirs: string[]): Promise<Array<{ path: string; containerId: string }>> {
  const out: Array<{ path: string; containerId: string }> = [];
  for (const dir of dirs) {
    const networks = await readdir(dir).catch(() => [] as string[]);
    for (const net of networks) {
      const files = await readdir(join(dir, net)).catch(() => [] as string[]);
      for (const name of files) {
        if (name === 'lock' || name.startsWith('last_reserved_ip')) continue;
        const text = await readFile(join(dir, net, name), 'utf8').catch(() => '');
        const containerId = text.split('\n')[0]?.trim() ?? '';
        if (/^[0-9a-f]{64}$/.test(containerId)) out.push({ path: join(dir, net, name), containerId });
      }
    }
  }
  return out;
}
