import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../util/atomic-file.js';
import { errnoOf } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { renderServiceHosts, withServiceHosts } from './dns.js';
import { computeEndpoints, removedFlows, udpFlows, type EndpointPod } from './endpoints.js';
import { applyNft, flushUdpFlows, type ServiceHost } from './host.js';
import { renderRules } from './rules.js';
import type { ServiceEndpoints, ServiceRecord } from './types.js';

/** A pod as the proxy sees it: an endpoint candidate, and where its hosts file is while it runs. */
export interface ProxyPod extends EndpointPod {
  hostsFile?: string;
}

/** Where NodePorts answer: podctl's bridge (by name, with its address once it exists) and loopback. */
export interface NodePortHost {
  bridge?: { name: string; ip?: string };
  /** 'all' answers on every local address (the user's choice, like kube-proxy's --nodeport-addresses). */
  addresses: 'all' | 'default';
}

/** What the last sync left on this host (kept under the run dir: the kernel forgets its rules on reboot too). */
interface Applied {
  hash: string;
  udp: string[];
  /** The interface whose route_localnet podctl switched on, and what it was before. */
  localnet?: { iface: string; previous: string };
}

/**
 * Makes the host match the desired services: endpoints from the pods, the nftables table in
 * one transaction (skipped when the text is unchanged), conntrack entries of UDP endpoints
 * that left, route_localnet for loopback NodePorts, and the services block of every running
 * pod's hosts file, rewritten in place. The caller holds the services lock.
 */
export class ServiceProxy {
  constructor(
    private readonly runDir: string,
    private readonly serviceCidr: string,
    private readonly host: ServiceHost,
    private readonly logger: Logger,
  ) {}

  private get appliedPath(): string {
    return join(this.runDir, 'services', 'applied.json');
  }

  /** True when there is nothing of podctl's on the host to keep in step. */
  async idle(records: ServiceRecord[]): Promise<boolean> {
    return records.length === 0 && (await readJsonIfExists<Applied>(this.appliedPath)) === undefined;
  }

  /** `force` rewrites the table even when podctl's record says it is current (gc: someone may have touched it). */
  async sync(records: ServiceRecord[], pods: ProxyPod[], nodePorts: NodePortHost, force = false): Promise<ServiceEndpoints[]> {
    const previous = await readJsonIfExists<Applied>(this.appliedPath);
    const services = computeEndpoints(records, pods);
    const loopback = nodePorts.addresses === 'default' && records.some((r) => r.type === 'NodePort');
    const addresses = nodePorts.addresses === 'all' ? 'all' : ['127.0.0.1', ...(nodePorts.bridge?.ip ? [nodePorts.bridge.ip] : [])];
    const script = renderRules(services, { serviceCidr: this.serviceCidr, nodePortAddresses: addresses, guardLocalnet: loopback });
    const hash = createHash('sha256').update(script).digest('hex');
    const proxied = script.includes('table ip podctl {');

    if (proxied) await this.host.ensureBridgeNetfilter();
    if (force || hash !== previous?.hash) {
      await applyNft(this.host.exec, script);
      this.logger.debug('service rules written', { services: records.length, bytes: script.length });
    }
    const udp = udpFlows(services);
    await flushUdpFlows(this.host.exec, removedFlows(previous?.udp ?? [], udp)).catch((err: unknown) => this.logger.warn(`stale UDP conntrack entries stay: ${String(err)}`));
    const localnet = await this.routeLocalnet(loopback ? nodePorts.bridge?.name : undefined, previous?.localnet);
    await this.rewriteHostsFiles(services, pods);

    if (records.length === 0) await removeIfExists(this.appliedPath);
    else await writeJsonAtomic(this.appliedPath, { hash, udp, ...(localnet ? { localnet } : {}) } satisfies Applied);
    return services;
  }

  /**
   * Loopback NodePorts need the kernel to route 127.0.0.1-sourced packets out of the bridge
   * and their replies back in: route_localnet on that one interface only, put back as it was
   * when no NodePort service is left.
   */
  private async routeLocalnet(iface: string | undefined, previous: Applied['localnet']): Promise<Applied['localnet']> {
    if (previous && previous.iface !== iface) await this.host.setRouteLocalnet(previous.iface, previous.previous === '1' ? '1' : '0');
    if (!iface) return undefined;
    if (previous?.iface === iface) {
      await this.host.setRouteLocalnet(iface, '1');
      return previous;
    }
    const was = await this.host.setRouteLocalnet(iface, '1');
    return was === undefined ? undefined : { iface, previous: was };
  }

  /** In place (open, truncate, write): a rename would leave running containers on the old inode. */
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
        const next = withServiceHosts(current, blocks.get(pod.namespace)!);
        if (next !== current) await writeFile(pod.hostsFile, next);
      }),
    );
  }
}
