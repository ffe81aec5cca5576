import { releaseAllocations } from '../host-local.js';
import { join } from 'node:path';
import { PodctlError, isPodctlError, notFound } from '../../util/errors.js';
import { withFileLock } from '../../util/file-lock.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { AttachmentCache } from '../cache/attachment-cache.js';
import { scanConfDir, type ConfDirScan } from '../conf/load-dir.js';
import { parseNetworkConfig } from '../conf/parse-network.js';
import { runPlugin, type InvokeContext } from '../invoke/invoke-plugin.js';
import { SpawnPluginExec, type PluginExec } from '../invoke/plugin-exec.js';
import { verbEnv } from '../invoke/plugin-env.js';
import { pluginStdin } from '../invoke/plugin-stdin.js';
import { probePluginVersion } from '../invoke/probe-version.js';
import { listPluginsInDirs, pluginAboutVersion } from '../invoke/plugin-inventory.js';
import type { CniResult, PluginVersionInfo } from '../result/types.js';
import type { CachedAttachment, GcAttachment, NetworkConfigList, RuntimeConf } from '../types.js';
import { versionAtLeast } from '../versions.js';
import { liveNetnsOrEmpty, validateAttachment, validateNetworkName } from './attachment-rules.js';
import { addChain, checkChain, delChain } from './chain.js';

export interface CniRuntimeOptions {
  confDir: string;
  /** Plugin directories, in search order (an array or a ':'-separated list). */
  cniPath: string | string[];
  /** podctl's own cache (not containerd's or CRI-O's), e.g. /var/lib/podctl/cni/cache. */
  cacheDir: string;
  /** Where the per-container lock files go, e.g. /run/podctl/locks. */
  lockDir: string;
  exec?: PluginExec;
  logger?: Logger;
  /** Deadline of one plugin process; a plugin still running then is killed. */
  timeoutMs?: number;
  /** How long to wait for another process working on the same container. */
  lockTimeoutMs?: number;
  /** PATH given to plugins (they run iptables, ip, ...); default: this process's PATH. */
  hostPath?: string;
}

export type DelRuntimeConf = RuntimeConf & { network?: string };

/** A plugin of the CNI path: its release (when it says) and the spec versions it supports, or why VERSION failed. */
export interface PluginInventoryEntry {
  name: string;
  path: string;
  release?: string;
  supportedVersions?: string[];
  error?: string;
}

/** A CNI runtime in the manner of libcni: configs, plugin chains, cache and per-container locks. */
export class CniRuntime {
  readonly confDir: string;
  readonly cniPath: readonly string[];
  private readonly ctx: InvokeContext;
  private readonly cache: AttachmentCache;
  private readonly lockDir: string;
  private readonly lockTimeoutMs?: number;
  private readonly logger: Logger;
  private readonly options: CniRuntimeOptions;

  constructor(options: CniRuntimeOptions) {
    this.options = options;
    this.confDir = options.confDir;
    this.cniPath = (Array.isArray(options.cniPath) ? options.cniPath : options.cniPath.split(':')).filter((d) => d !== '');
    this.logger = options.logger ?? silentLogger;
    this.ctx = {
      exec: options.exec ?? new SpawnPluginExec(),
      cniPath: this.cniPath,
      hostPath: options.hostPath ?? process.env.PATH,
      timeoutMs: options.timeoutMs ?? 60_000,
      logger: this.logger,
    };
    this.cache = new AttachmentCache(options.cacheDir);
    this.lockDir = options.lockDir;
    this.lockTimeoutMs = options.lockTimeoutMs;
  }

  /** How long one plugin may run before it is killed. */
  get pluginTimeoutMs(): number {
    return this.ctx.timeoutMs;
  }

  /**
   * The same runtime with tighter bounds (never looser ones): for callers that must finish in
   * bounded time whatever they find, such as gc facing a hung plugin or a held container lock.
   */
  bounded(limits: { pluginTimeoutMs: number; lockTimeoutMs: number }): CniRuntime {
    return new CniRuntime({
      ...this.options,
      exec: this.ctx.exec,
      timeoutMs: Math.min(this.ctx.timeoutMs, limits.pluginTimeoutMs),
      lockTimeoutMs: Math.min(this.lockTimeoutMs ?? 60_000, limits.lockTimeoutMs),
    });
  }

  /**
   * Finds every plugin a network needs (each `type` and each `ipam.type`) in the CNI path,
   * so a missing binary is reported before anything touches the host, not halfway through ADD.
   */
  async requirePlugins(net: NetworkConfigList): Promise<void> {
    const types = new Set<string>();
    for (const plugin of net.plugins) {
      types.add(plugin.type);
      const ipamType = (plugin.ipam as { type?: unknown } | undefined)?.type;
      if (typeof ipamType === 'string' && ipamType !== '') types.add(ipamType);
    }
    await Promise.all([...types].map((type) => this.ctx.exec.findInPath(type, this.cniPath)));
  }

  /** Every valid network of the conf dir and every file that failed, in file-name order. */
  scanNetworks(): Promise<ConfDirScan> {
    return scanConfDir(this.confDir);
  }

  /** Every network of the conf dir, sorted by file name; any invalid file is an error. */
  async loadNetworks(): Promise<NetworkConfigList[]> {
    const scan = await this.scanNetworks();
    if (scan.problems.length === 1) throw scan.problems[0]!.error;
    if (scan.problems.length > 1) {
      const all = scan.problems.map((p) => p.error.message).join('; ');
      throw new PodctlError('INVALID_CONFIG', `${scan.problems.length} invalid CNI configs in ${this.confDir}: ${all}`);
    }
    return scan.networks;
  }

  /** The network called `name`, or the first valid one when no name is given. */
  async getNetwork(name?: string): Promise<NetworkConfigList> {
    const scan = await this.scanNetworks();
    const found = name === undefined ? scan.networks[0] : scan.networks.find((n) => n.name === name);
    if (found) return found;
    const broken = scan.problems.find((p) => name === undefined || p.network === name);
    if (broken) throw broken.error;
    const known = scan.networks.map((n) => n.name).join(', ') || 'none';
    throw name === undefined
      ? notFound(`no CNI network configs in ${this.confDir}`, 'add a .conflist file there or pass --cni-conf-dir')
      : notFound(`CNI network ${JSON.stringify(name)} not found in ${this.confDir} (networks: ${known})`, 'pick one of those, or add its config there (see podctl net ls)');
  }

  /**
   * ADD over the list. Before the first plugin runs the cache holds the intent (config, args,
   * capability args; `complete: false`), and before each later plugin the prevResult it is
   * given, when that changed: a DEL after a kill at any instant replays what ran, and gives the
   * plugins the addresses they may have acted on. On failure the list is DELeted the same way
   * (best effort) and the ADD error thrown.
   */
  async addNetworkList(net: NetworkConfigList, rt: RuntimeConf): Promise<CniResult> {
    validateAttachment(rt, true);
    return this.withContainerLock(rt.containerId, async (ctx) => {
      const entry = {
        network: net.name, containerId: rt.containerId, ifName: rt.ifName, netns: rt.netns,
        args: rt.args ?? [], capabilityArgs: rt.capabilityArgs ?? {}, config: net.bytes,
      };
      let recorded: { result: CniResult | undefined; text: string } | undefined;
      const recordProgress = async (prevResult: CniResult | undefined) => {
        const text = JSON.stringify(prevResult ?? null);
        if (recorded?.text === text) return;
        await this.cache.put({ ...entry, complete: false, ...(prevResult ? { result: prevResult } : {}) });
        recorded = { result: prevResult, text };
      };
      try {
        const result = await addChain(ctx, net, rt, recordProgress);
        await this.cache.put({ ...entry, complete: true, result });
        return result;
      } catch (addError) {
        await this.rollbackAdd(ctx, net, rt, recorded?.result, addError);
        throw addError;
      }
    });
  }

  /** CHECK (0.4.0+) with the cached ADD result; nothing when the list sets disableCheck. */
  async checkNetworkList(net: NetworkConfigList, rt: RuntimeConf): Promise<void> {
    if (!versionAtLeast(net.cniVersion, '0.4.0')) {
      throw new PodctlError('FAILED_PRECONDITION', `network ${net.name} uses cniVersion ${net.cniVersion}; CHECK needs 0.4.0 or later`);
    }
    if (net.disableCheck) return;
    validateAttachment(rt, true);
    await this.withContainerLock(rt.containerId, async (ctx) => {
      const cached = await this.cache.get(net.name, rt.containerId, rt.ifName);
      if (!cached?.result || !cached.complete) {
        const why = cached ? 'its ADD did not finish (the process was killed): DEL it' : 'CHECK needs a previous ADD by podctl';
        throw new PodctlError('FAILED_PRECONDITION', `no cached ADD result for container ${rt.containerId} ifname ${rt.ifName} on network ${net.name}: ${why}`);
      }
      const args = rt.args ?? cached.args;
      const capabilityArgs = rt.capabilityArgs ?? cached.capabilityArgs;
      await checkChain(ctx, net, { ...rt, args, capabilityArgs }, cached.result);
    });
  }

  /**
   * DEL in reverse order. A cached attachment is replayed as ADD ran it (config, args,
   * capability args, prevResult), whatever the conf dir holds now; without a cache `net`
   * is used, and without either there is nothing to delete. Idempotent.
   */
  async delNetworkList(net: NetworkConfigList | undefined, rt: DelRuntimeConf): Promise<void> {
    await this.withDelTarget('DEL', net, rt, async (ctx, network, cached, list) => {
      if (!list) {
        this.logger.debug('cni DEL: nothing known about this attachment', { network, container: rt.containerId, ifname: rt.ifName });
        return;
      }
      const replayed: RuntimeConf = {
        containerId: rt.containerId,
        ifName: rt.ifName,
        netns: await liveNetnsOrEmpty(rt.netns),
        args: cached ? cached.args : rt.args,
        capabilityArgs: cached ? cached.capabilityArgs : rt.capabilityArgs,
      };
      const prevResult = cached && versionAtLeast(list.cniVersion, '0.4.0') ? cached.result : undefined;
      await delChain(ctx, list, replayed, prevResult);
      await this.cache.remove(network, rt.containerId, rt.ifName);
    });
  }

  /**
   * The last resort when DEL cannot run (plugin missing or hanging) and the caller forces
   * removal: releases host-local address files of the attachment and forgets its cache
   * entry. Returns what it removed. The namespace and its veth go with the namespace itself.
   */
  async scrubAttachment(net: NetworkConfigList | undefined, rt: DelRuntimeConf): Promise<string[]> {
    return this.withDelTarget('scrub', net, rt, async (_ctx, network, cached, list) => {
      const removed = list ? await releaseAllocations(list, rt.containerId, rt.ifName) : [];
      if (cached) {
        await this.cache.remove(network, rt.containerId, rt.ifName);
        removed.push(cached.file);
      }
      return removed;
    });
  }

  /**
   * GC: DEL every cached attachment of this network that is not in `validAttachments`, then
   * (1.1.0+) send GC to each plugin with the valid list. Nothing when the list sets disableGC.
   */
  async gcNetworkList(net: NetworkConfigList, validAttachments: GcAttachment[]): Promise<void> {
    if (net.disableGC) return;
    const keep = new Set(validAttachments.map((a) => `${a.containerId}\0${a.ifName}`));
    const errors: unknown[] = [];
    const { entries } = await this.cache.list();
    for (const stale of entries.filter((e) => e.network === net.name && !keep.has(`${e.containerId}\0${e.ifName}`))) {
      await this.delNetworkList(net, { ...stale, network: net.name }).catch((err: unknown) => errors.push(err));
    }
    if (versionAtLeast(net.cniVersion, '1.1.0')) {
      const attachments = validAttachments.map((a) => ({ containerID: a.containerId, ifname: a.ifName }));
      // The spec text named the field `cni.dev/attachments`, libcni sends both.
      const extra = { 'cni.dev/valid-attachments': attachments, 'cni.dev/attachments': attachments };
      for (const plugin of net.plugins) {
        await runPlugin(this.ctx, { verb: 'GC', network: net.name, pluginType: plugin.type, stdin: pluginStdin(net, plugin, { extra }), env: verbEnv('GC', this.ctx) })
          .catch((err: unknown) => errors.push(err));
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) {
      const messages = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
      throw new PodctlError('CNI', `GC of network ${net.name}: ${errors.length} operations failed: ${messages}`, { cause: new AggregateError(errors) });
    }
  }

  /** STATUS (1.1.0+): throws the first plugin's error (codes 50/51); older versions are assumed ready. */
  async statusNetworkList(net: NetworkConfigList): Promise<void> {
    if (!versionAtLeast(net.cniVersion, '1.1.0')) return;
    for (const plugin of net.plugins) {
      await runPlugin(this.ctx, { verb: 'STATUS', network: net.name, pluginType: plugin.type, stdin: pluginStdin(net, plugin), env: verbEnv('STATUS', this.ctx) });
    }
  }

  /**
   * Every plugin of the CNI path with its release (from its about text, when it prints one)
   * and the spec versions it answers VERSION with; all plugins are asked at once.
   */
  async listPlugins(): Promise<PluginInventoryEntry[]> {
    const found = await listPluginsInDirs(this.cniPath);
    const aboutMs = Math.min(this.ctx.timeoutMs, 5000);
    return Promise.all(
      found.map(async ({ name, path }) => {
        const [release, spec] = await Promise.all([
          pluginAboutVersion(this.ctx.exec, path, aboutMs).catch(() => undefined),
          probePluginVersion(this.ctx, name).then(
            (info) => ({ supportedVersions: info.supportedVersions }),
            (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
          ),
        ]);
        return { name, path, ...(release !== undefined ? { release } : {}), ...spec };
      }),
    );
  }

  /** VERSION probe of one plugin (by type name, looked up in the CNI path). */
  pluginVersion(pluginType: string): Promise<PluginVersionInfo> {
    return probePluginVersion(this.ctx, pluginType);
  }

  /**
   * The cached attachments of a network whose namespace still exists: what a GC must keep
   * when the caller knows nothing better (cnitool's `gc` without a runtime behind it).
   */
  async attachmentsWithLiveNetns(network: string): Promise<GcAttachment[]> {
    const cached = (await this.listCachedAttachments()).filter((a) => a.network === network);
    const live = await Promise.all(cached.map(async (a) => (await liveNetnsOrEmpty(a.netns)) !== ''));
    return cached.filter((_, i) => live[i]).map((a) => ({ containerId: a.containerId, ifName: a.ifName }));
  }

  /** Cache files a podctl killed mid-write left (gc removes them). */
  strayCacheWrites(): Promise<string[]> {
    return this.cache.strayWrites();
  }

  async listCachedAttachments(): Promise<CachedAttachment[]> {
    const { entries, unreadable } = await this.cache.list();
    for (const { file, error } of unreadable) this.logger.warn('unreadable CNI cache entry', { file, error: error.message });
    return entries;
  }

  async getCachedResult(network: string, containerId: string, ifName: string): Promise<CniResult | undefined> {
    validateNetworkName(network);
    validateAttachment({ containerId, ifName, netns: '' }, false);
    const cached = await this.cache.get(network, containerId, ifName);
    return cached?.complete ? cached.result : undefined;
  }

  /**
   * Runs `fn` holding the container's lock, with a plugin context whose plugins hold it too
   * (they inherit the lock's open file): a plugin that a killed podctl left running keeps the
   * lock until it exits, so a DEL that follows (`rm -f`, gc) waits for its ADD instead of
   * running before it and leaving what it adds after.
   */
  private withContainerLock<T>(containerId: string, fn: (ctx: InvokeContext) => Promise<T>): Promise<T> {
    // `cni-` keeps these apart from locks other layers may take in the same directory.
    const path = join(this.lockDir, `cni-${containerId}.lock`);
    return withFileLock(path, (lock) => fn({ ...this.ctx, lockFd: lock.fd }), { what: `container ${containerId}`, timeoutMs: this.lockTimeoutMs });
  }

  private async rollbackAdd(ctx: InvokeContext, net: NetworkConfigList, rt: RuntimeConf, prevResult: CniResult | undefined, addError: unknown): Promise<void> {
    try {
      await delChain(ctx, net, rt, prevResult);
      // Whatever an earlier ADD of this attachment cached is gone now.
      await this.cache.remove(net.name, rt.containerId, rt.ifName);
    } catch (delError) {
      this.logger.warn('DEL after a failed ADD failed too', {
        network: net.name, container: rt.containerId, add: (addError as Error)?.message, del: (delError as Error)?.message,
      });
    }
  }

  /** The cache entry for DEL; a corrupt one is reported and ignored so DEL can still run. */
  /**
   * What DEL and scrub share: the network (from the config or by name), checked names, the
   * container's lock, what ADD cached and the config list to use (the cached one first).
   */
  private withDelTarget<T>(
    verb: string,
    net: NetworkConfigList | undefined,
    rt: DelRuntimeConf,
    fn: (ctx: InvokeContext, network: string, cached: CachedAttachment | undefined, list: NetworkConfigList | undefined) => Promise<T>,
  ): Promise<T> {
    const network = net?.name ?? rt.network;
    if (network === undefined) throw new PodctlError('INVALID_ARGUMENT', `${verb} needs a network config or a network name`);
    validateNetworkName(network);
    validateAttachment(rt, false);
    return this.withContainerLock(rt.containerId, async (ctx) => {
      const cached = await this.readCacheForDel(network, rt);
      return fn(ctx, network, cached, (cached && this.cachedList(cached)) ?? net);
    });
  }

  private async readCacheForDel(network: string, rt: RuntimeConf): Promise<CachedAttachment | undefined> {
    try {
      return await this.cache.get(network, rt.containerId, rt.ifName);
    } catch (err) {
      if (!isPodctlError(err)) throw err;
      this.logger.warn('ignoring unreadable CNI cache entry', { error: err.message });
      return undefined;
    }
  }

  private cachedList(cached: CachedAttachment): NetworkConfigList | undefined {
    try {
      return parseNetworkConfig(cached.config, cached.file);
    } catch (err) {
      if (!isPodctlError(err)) throw err;
      this.logger.warn('ignoring cached CNI config that no longer validates', { error: err.message });
      return undefined;
    }
  }
}
