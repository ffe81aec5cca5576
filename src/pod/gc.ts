/**
 * Reconciles every place podctl leaves state with what should exist. Pods whose operation
 * was interrupted (a killed podctl) are finished: a half-made `run` is removed, a half-done
 * start or stop ends stopped, and a pod whose sandbox is gone (a reboot) releases its networks
 * and ends stopped. Containers without a pod, CNI attachments without a pod, and host-local
 * addresses without a pod are released, and the nftables tables of a killed `podctl trace --live`
 * removed. Pods whose lock is held belong to a podctl at work and
 * are left alone; so is anything not podctl's.
 *
 * Bounded in time whatever it finds: pods are settled in parallel, a held lock is waited for
 * at most GC_BOUNDS.lockMs and a plugin at most GC_BOUNDS.pluginTimeoutMs; what could not be
 * done is reported on its action (`error`) and gc goes on.
 */
import { readdir, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { messageOf } from '../util/errors.js';
import { findStalePluginRules, removeStalePluginRules } from '../netns/stale-plugin-rules.js';
import { deleteTraceTable, staleTraceTables } from '../netns/trace-tables.js';
import { hostLocalDirs, readAllocations } from '../cni/host-local.js';
import { summarizeNetwork } from '../cni/conf/summary.js';
import { parseNetworkConfig, toCurrentResult, type CachedAttachment, type NetworkConfigList } from '../cni/index.js';
import type { PodCheckpoint } from './checkpoint.js';
import type { PodDeps } from './context.js';
import { ALL_PODS_FILTER, LABEL, podFilter } from './labels.js';
import { formatPodRef, podKey } from './naming.js';
import { appsAndPause, removePod, releaseNetworks, stopContainers } from './teardown.js';
import type { ContainerSummary } from '../docker/containers.js';
import { groupByPod, sandboxGone } from './status.js';

/** One thing gc found, what it does about it, and how that went. */
export interface GcAction {
  kind: 'pod' | 'container' | 'attachment' | 'ip-file' | 'iptables' | 'stray-file' | 'nft-table';
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

/** How long gc waits for any one thing: a pod's or a container's lock, one plugin run. */
export const GC_BOUNDS = { lockMs: 2000, pluginTimeoutMs: 10_000 };

/** A pod-layer attachment: `podctl cni add` (cnitool-style) ones are the user's, never gc's. */
const byPodLayer = (a: CachedAttachment) => a.args.some(([key]) => key === 'K8S_POD_INFRA_CONTAINER_ID');

/** `stateDir` is podctl's own: host-local files under it are podctl's whatever id they name. */
export async function collectGarbage(unbounded: PodDeps, stateDir: string, options: GcOptions): Promise<GcAction[]> {
  const deps: PodDeps = { ...unbounded, cni: unbounded.cni.bounded({ pluginTimeoutMs: GC_BOUNDS.pluginTimeoutMs, lockTimeoutMs: GC_BOUNDS.lockMs }) };
  const [containers, checkpoints, pins] = await Promise.all([deps.containers.list(ALL_PODS_FILTER), deps.store.list(), deps.pins.list()]);
  const groups = groupByPod(containers);
  const actions: GcAction[] = [];
  const kept = new Set<string>();
  const report = (action: GcAction) => (actions.push(action), action);

  await Promise.all(
    checkpoints.map((checkpoint) => {
      const members = groups.get(podKey(checkpoint)) ?? [];
      groups.delete(podKey(checkpoint));
      return settlePod(deps, checkpoint, members, new Set(pins), options, report, kept);
    }),
  );
  await removeOrphanContainers(deps, [...groups.values()].flat(), options, report);

  // A pod being created right now has a pause container before its first CNI ADD, and
  // `podctl cni test --engine docker` wires pause containers of its own: whatever names a
  // container that exists is in use.
  for (const c of await deps.containers.list([])) kept.add(c.id);
  // And every checkpoint's pause, other engines' pods on this host included (this list shows none of theirs).
  for (const c of await deps.store.listAllEngines()) if (c.pauseId) kept.add(c.pauseId);

  const cached = await deps.cni.listCachedAttachments();
  const networks = await podctlNetworks(deps, cached);
  const allocationDirs = await allocationDirsOf(stateDir, networks);
  await releaseAttachments(deps, cached.filter((a) => byPodLayer(a) && !kept.has(a.containerId)), options, report);
  await releaseAddresses(deps, stateDir, allocationDirs, cached, kept, options, report);
  await removePluginLeftovers(deps, networks, allocationDirs, kept, options, report);
  await removeStrayWrites(deps, options, report);
  await removeStaleTraceTables(options, report);
  return actions;
}

/**
 * Half-written files of a podctl killed mid-write: CNI cache entries (ADD writes its intent, then
 * its progress) and checkpoints; a pod directory left empty goes too.
 */
async function removeStrayWrites(deps: PodDeps, options: GcOptions, report: Report): Promise<void> {
  const [cache, checkpoints] = await Promise.all([deps.cni.strayCacheWrites(), deps.store.strayWrites()]);
  for (const file of [...cache, ...checkpoints]) {
    const action = report({ kind: 'stray-file', target: file, action: 'remove', reason: 'a write its podctl was killed in' });
    if (options.dryRun) continue;
    await rm(file, { force: true }).catch((err) => (action.error = messageOf(err)));
    if (checkpoints.includes(file)) await rmdir(dirname(file)).catch(() => undefined); // only when nothing else is there
  }
}

/** nftables trace tables of a `podctl trace --live` that was killed (its pid is gone). */
async function removeStaleTraceTables(options: GcOptions, report: (action: GcAction) => GcAction): Promise<void> {
  for (const table of await staleTraceTables()) {
    report({ kind: 'nft-table', target: `ip ${table}`, action: 'remove', reason: 'its podctl trace --live is gone' });
    if (!options.dryRun) await deleteTraceTable(table);
  }
}

type Report = (action: GcAction) => GcAction;

/** One pod's verdict, acted on under its lock (judged again there: it may have moved on). */
async function settlePod(deps: PodDeps, checkpoint: PodCheckpoint, members: ContainerSummary[], pins: Set<string>, options: GcOptions, report: Report, kept: Set<string>): Promise<void> {
  const keep = (c: PodCheckpoint | undefined) => c?.pauseId && kept.add(c.pauseId);
  const verdict = judgePod(checkpoint, members, options.session, pins);
  if (!verdict) return void keep(checkpoint);
  const action = report({ kind: 'pod', target: formatPodRef(checkpoint), action: verdict.action, reason: verdict.reason });
  if (options.dryRun) return;
  let lock;
  try {
    lock = await deps.lockPod(checkpoint, GC_BOUNDS.lockMs);
  } catch (err) {
    action.error = `${messageOf(err)} (skipped: another podctl is working on it)`;
    return void keep(checkpoint);
  }
  try {
    const [fresh, freshMembers, freshPins] = await Promise.all([
      deps.store.read(checkpoint),
      deps.containers.list(podFilter(checkpoint.name, checkpoint.namespace)),
      deps.pins.list(),
    ]);
    const again = fresh ? judgePod(fresh, freshMembers, options.session, new Set(freshPins)) : undefined;
    if (!fresh || !again) {
      action.error = 'skipped: the pod changed meanwhile';
      keep(fresh);
    } else if (again.action === 'remove') {
      await removePod(deps, fresh, freshMembers, true);
    } else {
      keep(fresh);
      await releaseNetworks(deps, fresh, true);
      await stopContainers(deps, freshMembers, 0);
      fresh.phase = 'stopped';
      await deps.store.write(fresh);
    }
  } catch (err) {
    action.error = messageOf(err);
    keep(checkpoint);
  } finally {
    await lock.release();
  }
}

/** The pure judgement: what (if anything) gc does about one pod. */
export function judgePod(checkpoint: PodCheckpoint, members: ContainerSummary[], session: string | undefined, pins: ReadonlySet<string>): { action: GcAction['action']; reason: string } | undefined {
  if (session !== undefined && checkpoint.spec.session === session) return { action: 'remove', reason: `belongs to session ${session}` };
  const pause = members.find((c) => c.labels[LABEL.role] === 'pause');
  if (checkpoint.phase === 'creating') return { action: 'remove', reason: 'its creation was interrupted' };
  if (checkpoint.phase === 'removing') return { action: 'remove', reason: 'its removal was interrupted' };
  if ((checkpoint.phase === 'starting' || checkpoint.phase === 'stopping') && checkpoint.removeOnInterrupt) {
    return { action: 'remove', reason: 'podctl run was interrupted' };
  }
  if (!pause) return { action: 'remove', reason: 'its pause container is gone' };
  if (checkpoint.phase === 'starting' || checkpoint.phase === 'stopping') return { action: 'stop', reason: `its ${checkpoint.phase === 'starting' ? 'start' : 'stop'} was interrupted` };
  if (sandboxGone(checkpoint, members, pins)) {
    return { action: 'release', reason: 'its sandbox is gone (pause down, namespace pin gone: a reboot): its addresses are released and it ends stopped' };
  }
  return undefined;
}

/** Containers of pods podctl has no checkpoint for (deleted state dir, crash before the first write). */
async function removeOrphanContainers(deps: PodDeps, orphans: ContainerSummary[], options: GcOptions, report: Report): Promise<void> {
  const remove = (containers: ContainerSummary[]) =>
    Promise.all(
      containers.map(async (c) => {
        const action = report({ kind: 'container', target: c.name, action: 'remove', reason: `pod ${c.labels[LABEL.pod]} has no podctl state` });
        if (!options.dryRun) await deps.containers.remove(c.id).catch((err) => (action.error = messageOf(err)));
      }),
    );
  // Apps before pauses: podman refuses to remove a pause that other containers still join.
  const { apps, pause } = appsAndPause(orphans);
  await remove(apps);
  await remove(pause);
}

/** CNI attachments whose pod is gone: DEL them from the cache (config, args, result as at ADD). */
async function releaseAttachments(deps: PodDeps, stale: CachedAttachment[], options: GcOptions, report: Report): Promise<void> {
  await Promise.all(
    stale.map(async (cached) => {
      const action = report({ kind: 'attachment', target: `${cached.network}/${cached.containerId.slice(0, 12)}/${cached.ifName}`, action: 'release', reason: 'no pod uses it' });
      if (options.dryRun) return;
      const rt = { network: cached.network, containerId: cached.containerId, ifName: cached.ifName, netns: '' };
      try {
        // DEL first; when the plugin cannot run (missing, hung past the bound), release what it left
        // directly (its rules go with removePluginLeftovers).
        await deps.cni.delNetworkList(undefined, rt).catch(() => deps.cni.scrubAttachment(undefined, rt));
      } catch (err) {
        action.error = messageOf(err);
      }
    }),
  );
}

/** The networks podctl loaded and every config in its CNI cache (an attachment outlives its config file). */
async function podctlNetworks(deps: PodDeps, cached: CachedAttachment[]): Promise<NetworkConfigList[]> {
  const loaded = await deps.cni.loadNetworks().catch(() => [] as NetworkConfigList[]);
  const fromCache = cached.flatMap((a) => {
    try {
      return [parseNetworkConfig(a.config)];
    } catch {
      return [];
    }
  });
  return [...loaded, ...fromCache];
}

/** host-local's directories of those networks, and every network's in podctl's own dataDir (also those whose config is gone). */
async function allocationDirsOf(stateDir: string, networks: NetworkConfigList[]): Promise<string[]> {
  const ownRoot = join(stateDir, 'cni', 'networks');
  const own = (await readdir(ownRoot).catch(() => [] as string[])).map((net) => join(ownRoot, net));
  return [...new Set([...own, ...networks.flatMap(hostLocalDirs)])];
}

/**
 * host-local addresses naming a container no pod has, in the directories of every network podctl
 * loaded and every config in its CNI cache (a kill between the plugin's write and the cache
 * write leaves an address the cache never heard of). Under podctl's own stateDir every such
 * address is podctl's; in a shared dataDir (another runtime may use /var/lib/cni/networks too)
 * only the addresses of containers podctl has attached (its cache) are released.
 */
async function releaseAddresses(deps: PodDeps, stateDir: string, dirs: string[], cached: CachedAttachment[], kept: Set<string>, options: GcOptions, report: Report): Promise<void> {
  const ours = new Set(cached.filter(byPodLayer).map((a) => a.containerId));
  const inStateDir = (path: string) => {
    const rel = relative(stateDir, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  for (const file of await readAllocations(dirs)) {
    if (kept.has(file.containerId) || !/^[0-9a-f]{64}$/.test(file.containerId)) continue;
    if (!inStateDir(file.path) && !ours.has(file.containerId)) continue;
    const action = report({ kind: 'ip-file', target: file.path, action: 'remove', reason: `address held for ${file.containerId.slice(0, 12)}, which no pod has` });
    if (!options.dryRun) await rm(file.path, { force: true }).catch((err) => (action.error = messageOf(err)));
  }
}

/** The addresses of a cached ADD result (IPAM plugins other than host-local keep no files). */
function cachedAddresses(attachment: CachedAttachment): string[] {
  try {
    return attachment.result ? (toCurrentResult(attachment.result).ips ?? []).map((ip) => ip.address.split('/')[0]!) : [];
  } catch {
    return [];
  }
}

/**
 * The rules and chains the plugins left for podctl's networks that nothing holds any more: of
 * a DEL that never ran (state lost behind podctl's back; a podctl from before ADD recorded its
 * intent, killed mid-chain) or ran without the addresses, and of everything released above. Each table is listed once, before what holds
 * addresses and ids is read: a plugin writes its cache intent and its address file before its
 * rules, so a rule added meanwhile is seen with its holder.
 */
async function removePluginLeftovers(deps: PodDeps, networks: NetworkConfigList[], dirs: string[], kept: Set<string>, options: GcOptions, report: Report): Promise<void> {
  const tables = ['nat', 'filter'];
  const listings = await Promise.all(tables.map((table) => deps.host.read('iptables', ['-w', '-t', table, '-S']).catch(() => '')));
  const [cached, allocations] = await Promise.all([deps.cni.listCachedAttachments(), readAllocations(dirs)]);
  const scope = {
    networks: networks.map((net) => ({ name: net.name, subnets: summarizeNetwork(net).subnets })),
    // host-local names each address file by its address.
    heldAddresses: new Set([...allocations.map((a) => basename(a.path)), ...cached.flatMap(cachedAddresses)]),
    keptIds: new Set([...kept, ...cached.map((a) => a.containerId), ...allocations.map((a) => a.containerId)]),
  };
  for (const [i, table] of tables.entries()) {
    const stale = findStalePluginRules(table, listings[i]!, scope);
    for (const rule of stale.rules) report({ kind: 'iptables', target: `${table} ${rule.args.join(' ')}`, action: 'remove', reason: rule.reason });
    for (const { chain, reason } of stale.chains) report({ kind: 'iptables', target: `${table} chain ${chain}`, action: 'remove', reason });
    if (!options.dryRun) await removeStalePluginRules(deps.host.run, stale);
  }
}
