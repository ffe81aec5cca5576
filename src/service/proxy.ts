import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../util/atomic-file.js';
import { errnoOf } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { renderServiceHosts, withServiceHosts } from './dns.js';
import { computeEndpoints, removedFlows, udpFlows, type EndpointPod } from './endpoints.js';
import { applyNft, flushUdpFlows, type ServiceHost } from './host.js';
import { kernelTableDigest } from './kernel-table.js';
import { renderRules } from './rules.js';
import type { ServiceEndpoints, ServiceRecord } from './types.js';
import { DNS_PORT, KUBE_DNS, clusterDnsAddress, kubeDnsEndpoints, zoneData, type ClusterDnsTarget } from './cluster-dns.js';
import { DnsProcess, type DnsRunner } from '../dns/process.js';

/** A pod as the proxy sees it: an endpoint candidate, and where its hosts file is while it runs. */
export interface ProxyPod extends EndpointPod {
  hostsFile?: string;
  /** Its resolv.conf names the cluster DNS (and it is not leaving): the server must run, and its hosts file carries no service names. */
  clusterDns?: boolean;
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
  /** The cluster DNS while some pod uses it, and since when (kube-dns's age). */
  dns?: ClusterDnsTarget & { since: string };
  /** The table as the kernel listed it after the last write (see kernel-table.ts). */
  kernel?: string;
}

/**
 * Makes the host match the desired services: endpoints from the pods, the nftables table in
 * one transaction (skipped when the text is unchanged), conntrack entries of UDP endpoints
 * that left, route_localnet for loopback NodePorts, and the services block of every running
 * pod's hosts file, rewritten in place. The caller holds the services lock.
 */
export class ServiceProxy {
  private readonly dnsProcess: DnsRunner;

  constructor(
    private readonly runDir: string,
    private readonly serviceCidr: string,
    private readonly host: ServiceHost,
    private readonly logger: Logger,
    dnsProcess?: DnsRunner,
  ) {
    this.dnsProcess = dnsProcess ?? new DnsProcess(runDir);
  }

  /** The cluster DNS as the last sync left it, when its server still runs. */
  async clusterDns(): Promise<(ClusterDnsTarget & { since: string }) | undefined> {
    const dns = (await readJsonIfExists<Applied>(this.appliedPath))?.dns;
    return dns && (await this.dnsProcess.running()) ? dns : undefined;
  }

  private get appliedPath(): string {
    return join(this.runDir, 'services', 'applied.json');
  }

  /** True when there is nothing of podctl's on the host to keep in step. */
  async idle(records: ServiceRecord[]): Promise<boolean> {
    return records.length === 0 && (await readJsonIfExists<Applied>(this.appliedPath)) === undefined;
  }

  /** True when the last sync wrote a table and the kernel's is gone or differs from it now. */
  async drifted(): Promise<boolean> {
    const kernel = (await readJsonIfExists<Applied>(this.appliedPath))?.kernel;
    return kernel !== undefined && (await kernelTableDigest(this.host.exec)) !== kernel;
  }

  /** `force` rewrites the table even when podctl's record says it is current (gc: someone may have touched it). */
  async sync(records: ServiceRecord[], pods: ProxyPod[], nodePorts: NodePortHost, force = false, wantDns = false): Promise<ServiceEndpoints[]> {
    const previous = await readJsonIfExists<Applied>(this.appliedPath);
    const services = computeEndpoints(records, pods);
    const dns = this.dnsTarget(records, pods, nodePorts, wantDns, previous?.dns);
    const loopback = nodePorts.addresses === 'default' && records.some((r) => r.type === 'NodePort');
    const addresses = nodePorts.addresses === 'all' ? 'all' : ['127.0.0.1', ...(nodePorts.bridge?.ip ? [nodePorts.bridge.ip] : [])];
    const clusterDns = dns ? { ip: dns.ip, server: dns.server, bridge: dns.bridge, port: DNS_PORT } : undefined;
    const script = renderRules(services, { serviceCidr: this.serviceCidr, nodePortAddresses: addresses, guardLocalnet: loopback, ...(clusterDns ? { clusterDns } : {}) });
    const hash = createHash('sha256').update(script).digest('hex');
    const proxied = script.includes('table ip podctl {');

    // The server first, then the rules that lead to it; when it goes, the rules first.
    if (dns) await this.dnsProcess.ensure({ listen: [dns.server], port: DNS_PORT, zone: zoneData([...services, kubeDnsOf(dns)], pods, this.serviceCidr) });
    if (proxied) await this.host.ensureBridgeNetfilter();
    let kernel = previous?.kernel;
    if (force || hash !== previous?.hash) {
      await applyNft(this.host.exec, script);
      this.logger.debug('service rules written', { services: records.length, bytes: script.length });
      kernel = proxied ? await kernelTableDigest(this.host.exec) : undefined;
    }
    if (!dns && (previous?.dns || force)) await this.dnsProcess.stop();
    const udp = udpFlows(services);
    await flushUdpFlows(this.host.exec, removedFlows(previous?.udp ?? [], udp)).catch((err: unknown) => this.logger.warn(`stale UDP conntrack entries stay: ${String(err)}`));
    const localnet = await this.routeLocalnet(loopback ? nodePorts.bridge?.name : undefined, previous?.localnet);
    await this.rewriteHostsFiles(services, pods, dns !== undefined);

    if (records.length === 0 && !dns) await removeIfExists(this.appliedPath);
    else await writeJsonAtomic(this.appliedPath, { hash, udp, ...(localnet ? { localnet } : {}), ...(dns ? { dns } : {}), ...(kernel ? { kernel } : {}) } satisfies Applied);
    return services;
  }

  /**
   * Whether the cluster DNS runs after this sync, and where: while a pod uses it (or one is
   * starting: `wantDns`), on the default bridge's gateway address. A user service that holds
   * its address (made before podctl reserved it) keeps it from running, with a warning.
   */
  private dnsTarget(records: ServiceRecord[], pods: ProxyPod[], nodePorts: NodePortHost, wantDns: boolean, previous: Applied['dns']): Applied['dns'] {
    if (!wantDns && !pods.some((p) => p.clusterDns)) return undefined;
    const bridge = nodePorts.bridge;
    if (!bridge?.ip) return undefined;
    const ip = clusterDnsAddress(this.serviceCidr);
    const holder = records.find((r) => r.clusterIP === ip && !(r.name === KUBE_DNS.name && r.namespace === KUBE_DNS.namespace));
    if (holder) {
      this.logger.warn(`the cluster DNS cannot start: service ${holder.namespace}/${holder.name} holds its address ${ip}; pods resolve service names through their hosts files. Delete that service and apply it again without clusterIP, then restart the pods`);
      return undefined;
    }
    const since = previous?.ip === ip ? previous.since : new Date().toISOString();
    return { ip, server: bridge.ip, bridge: bridge.name, since };
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
  private async rewriteHostsFiles(services: ServiceEndpoints[], pods: ProxyPod[], dnsServes: boolean): Promise<void> {
    const blocks = new Map<string, string>();
    await Promise.all(
      pods.map(async (pod) => {
        if (!pod.hostsFile) return;
        if (!blocks.has(pod.namespace)) blocks.set(pod.namespace, renderServiceHosts(services, pod.namespace));
        // A pod the DNS server answers keeps only the kubelet's lines: no stale name can shadow DNS.
        const block = dnsServes && pod.clusterDns ? '' : blocks.get(pod.namespace)!;
        let current: string;
        try {
          current = await readFile(pod.hostsFile, 'utf8');
        } catch (err) {
          if (errnoOf(err) === 'ENOENT') return;
          throw err;
        }
        const next = withServiceHosts(current, block);
        if (next !== current) await writeFile(pod.hostsFile, next);
      }),
    );
  }
}

const kubeDnsOf = (dns: ClusterDnsTarget & { since: string }): ServiceEndpoints => kubeDnsEndpoints(dns, dns.since);
