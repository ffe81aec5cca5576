import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../util/atomic-file.js';
import { errnoOf } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { rewriteInPlace, withoutPadding } from '../util/rewrite-in-place.js';
import { renderServiceHosts, withServiceHosts } from './dns.js';
import { computeEndpoints, removedFlows, udpFlows, type EndpointPod } from './endpoints.js';
import { applyNft, flushUdpFlows, type ServiceHost } from './host.js';
import { DELETE_SCRIPT, renderRules } from './rules.js';
import { BRIDGE_NF_CALL_IPTABLES, routeLocalnetKey, SysctlLedger } from './sysctls.js';
import type { NodePortAddresses, ServiceEndpoints, ServiceRecord } from './types.js';

/** A pod as the proxy sees it: an endpoint candidate, and where its hosts file is while it runs. */
export interface ProxyPod extends EndpointPod {
  hostsFile?: string;
}

/** Where NodePorts answer: podctl's bridge (by name, with its address once it exists) and loopback. */
export interface NodePortHost {
  bridge?: { name: string; ip?: string };
  /** Pod subnets of podctl's networks: with the host itself, the only clients of Services. */
  podSubnets: string[];
  /** Where NodePorts also answer to anyone (see NodePortAddresses). */
  addresses: NodePortAddresses;
}

/** What the last sync left on this host (kept under the run dir: the kernel forgets its rules on reboot too). */
interface Applied {
  hash: string;
  udp: string[];
}

/** A named stretch of a sync; the pod layer passes its step runner, so tests can stop a sync at each. */
export interface SyncSteps {
  run<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

const plainSteps: SyncSteps = { run: (_name, fn) => fn() };

/**
 * Makes the host match the desired services: endpoints from the pods, the nftables table in
 * one transaction (skipped when the text is unchanged), conntrack entries of UDP endpoints
 * that left, the sysctls Services need (br_netfilter's, route_localnet for 127.0.0.1
 * NodePorts) through the ledger, and the services block of every running pod's hosts file,
 * rewritten in place. The caller holds the services lock.
 */
export class ServiceProxy {
  private readonly sysctls: SysctlLedger;

  constructor(
    private readonly runDir: string,
    private readonly serviceCidr: string,
    private readonly host: ServiceHost,
    private readonly logger: Logger,
    private readonly steps: SyncSteps = plainSteps,
  ) {
    this.sysctls = new SysctlLedger(join(runDir, 'services', 'sysctls.json'), host.sysctls);
  }

  private get appliedPath(): string {
    return join(this.runDir, 'services', 'applied.json');
  }

  /** True when there is nothing of podctl's on the host to keep in step. */
  async idle(records: ServiceRecord[]): Promise<boolean> {
    if (records.length > 0 || (await readJsonIfExists<Applied>(this.appliedPath)) !== undefined) return false;
    return Object.keys(await this.sysctls.held()).length === 0;
  }

  /**
   * `force` rewrites the table even when podctl's record says it is current (gc: someone may
   * have touched it, or a podctl was killed mid-sync).
   *
   * The order keeps route_localnet guarded at every instant a kill may strike: sysctls no
   * longer needed go back first (while the old table, with its guard, still stands); the
   * first values of those about to change are recorded; then br_netfilter, the table (with
   * the guard when route_localnet is wanted), and only then route_localnet.
   */
  async sync(records: ServiceRecord[], pods: ProxyPod[], nodePorts: NodePortHost, force = false): Promise<ServiceEndpoints[]> {
    const previous = await readJsonIfExists<Applied>(this.appliedPath);
    const services = computeEndpoints(records, pods);
    // 127.0.0.1 NodePorts: the kernel must route 127.0.0.1-sourced packets out of the bridge
    // and their replies back in (route_localnet), on that one interface only, guarded.
    const localnetFor = records.some((r) => r.type === 'NodePort') ? nodePorts.bridge?.name : undefined;
    const script = renderRules(services, {
      serviceCidr: this.serviceCidr,
      podSubnets: nodePorts.podSubnets,
      nodePortAddresses: ['127.0.0.1', ...(nodePorts.bridge?.ip ? [nodePorts.bridge.ip] : [])],
      externalNodePorts: nodePorts.addresses === 'default' ? [] : nodePorts.addresses,
      guardLocalnet: localnetFor !== undefined,
    });
    const proxied = script !== DELETE_SCRIPT;
    const localnet = proxied && localnetFor !== undefined ? routeLocalnetKey(localnetFor) : undefined;
    const wanted = new Set([...(proxied ? [BRIDGE_NF_CALL_IPTABLES] : []), ...(localnet ? [localnet] : [])]);
    const hash = createHash('sha256').update(script).digest('hex');

    const given = await this.steps.run('services-release-sysctls', () => this.sysctls.release(wanted));
    if (given.length > 0) this.logger.debug('sysctls put back', { keys: given });
    await this.steps.run('services-record-sysctls', () => this.sysctls.record([...wanted].map((key) => (key === BRIDGE_NF_CALL_IPTABLES ? { key, absentAs: '0' } : { key }))));
    if (proxied) {
      await this.steps.run('services-bridge-netfilter', async () => {
        await this.host.loadBridgeNetfilter();
        await this.sysctls.set(BRIDGE_NF_CALL_IPTABLES, '1');
      });
    }
    if (force || hash !== previous?.hash) {
      await this.steps.run('services-rules', () => applyNft(this.host.exec, script));
      this.logger.debug('service rules written', { services: records.length, bytes: script.length });
    }
    if (localnet) await this.steps.run('services-route-localnet', () => this.sysctls.set(localnet, '1'));
    const udp = udpFlows(services);
    await flushUdpFlows(this.host.exec, removedFlows(previous?.udp ?? [], udp)).catch((err: unknown) => this.logger.warn(`stale UDP conntrack entries stay: ${String(err)}`));
    await this.rewriteHostsFiles(services, pods);

    if (records.length === 0) await removeIfExists(this.appliedPath);
    else await writeJsonAtomic(this.appliedPath, { hash, udp } satisfies Applied);
    return services;
  }

  /** In place, never empty nor short to a reader in the pod (util/rewrite-in-place.ts). */
  private async rewriteHostsFiles(services: ServiceEndpoints[], pods: ProxyPod[]): Promise<void> {
    const blocks = new Map<string, string>();
    await Promise.all(
      pods.map(async (pod) => {
        if (!pod.hostsFile) return;
        if (!blocks.has(pod.namespace)) blocks.set(pod.namespace, renderServiceHosts(services, pod.namespace));
        let current: string;
        try {
          current = await readFile(pod.hostsFile, 'utf8');
        } catch (err) {
          if (errnoOf(err) === 'ENOENT') return;
          throw err;
        }
        current = withoutPadding(current);
        const next = withServiceHosts(current, blocks.get(pod.namespace)!);
        if (next !== current) await rewriteInPlace(pod.hostsFile, next);
      }),
    );
  }
}
