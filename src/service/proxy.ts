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
import { kernelTableDigest, TABLE_GONE } from './kernel-table.js';
import { DELETE_SCRIPT, proxiedServices, renderRules } from './rules.js';
import { BRIDGE_NF_CALL_IPTABLES, routeLocalnetKey, SysctlLedger, sysctlLedgerPath } from './sysctls.js';
import type { NodePortAddresses, ServiceEndpoints, ServiceRecord } from './types.js';
import { DNS_PORT, KUBE_DNS, clusterDnsAddress, kubeDnsEndpoints, zoneData, type ClusterDnsTarget } from './cluster-dns.js';
import { DnsProcess, type DnsRunner } from '../dns/process.js';

/** A pod as the proxy sees it: an endpoint candidate, and where its hosts file is while it runs. */
export interface ProxyPod extends EndpointPod {
  hostsFile?: string;
  /** Its resolv.conf names the cluster DNS (and it is not leaving): the server must run, and its hosts file carries no service names. */
  clusterDns?: boolean;
  /** The host interface its published ports need route_localnet on (and it is not leaving). */
  routeLocalnet?: string;
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
  /** The cluster DNS while some pod uses it, and since when (kube-dns's age). */
  dns?: ClusterDnsTarget & { since: string };
  /** The table as the kernel listed it after the last write (see kernel-table.ts), or TABLE_GONE. */
  kernel?: string;
  /** Written by podctl before the sysctl ledger: the route_localnet it switched on, and the value before. */
  localnet?: { iface: string; previous: string };
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
  private readonly dnsProcess: DnsRunner;

  constructor(
    private readonly runDir: string,
    private readonly serviceCidr: string,
    private readonly host: ServiceHost,
    private readonly logger: Logger,
    private readonly steps: SyncSteps = plainSteps,
    dnsProcess?: DnsRunner,
  ) {
    this.sysctls = new SysctlLedger(sysctlLedgerPath(runDir), host.sysctls);
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
    if (records.length > 0 || (await readJsonIfExists<Applied>(this.appliedPath)) !== undefined) return false;
    return Object.keys(await this.sysctls.held()).length === 0;
  }

  /** True when the last sync wrote a table and the kernel's is gone or differs from it now. */
  async drifted(): Promise<boolean> {
    const kernel = (await readJsonIfExists<Applied>(this.appliedPath))?.kernel;
    return kernel !== undefined && (await kernelTableDigest(this.host.exec)) !== kernel;
  }

  /**
   * `force` rewrites the table even when podctl's record says it is current (gc, or serve when
   * the kernel's table drifted: someone may have touched it, or a podctl was killed mid-sync).
   *
   * The order keeps route_localnet guarded at every instant a kill may strike: sysctls no
   * longer needed go back first (while the old table, with its guard, still stands); the
   * first values of those about to change are recorded; then br_netfilter, the table (with
   * the guard when route_localnet is wanted), and only then route_localnet.
   */
  async sync(records: ServiceRecord[], pods: ProxyPod[], nodePorts: NodePortHost, force = false, wantDns = false): Promise<ServiceEndpoints[]> {
    const previous = await readJsonIfExists<Applied>(this.appliedPath);
    const services = computeEndpoints(records, pods);
    const dns = this.dnsTarget(records, pods, nodePorts, wantDns, previous?.dns);
    const localnets = localnetInterfaces(records, pods, nodePorts);
    const script = renderRules(services, {
      serviceCidr: this.serviceCidr,
      podSubnets: nodePorts.podSubnets,
      nodePortAddresses: ['127.0.0.1', ...(nodePorts.bridge?.ip ? [nodePorts.bridge.ip] : [])],
      externalNodePorts: nodePorts.addresses === 'default' ? [] : nodePorts.addresses,
      guardLocalnet: localnets.length > 0,
      ...(dns ? { clusterDns: { ip: dns.ip, server: dns.server, bridge: dns.bridge, port: DNS_PORT } } : {}),
    });
    const tabled = script !== DELETE_SCRIPT;
    // Bridged pod traffic must pass netfilter only when a service or the DNS server has rules for it; the guard alone does not need it.
    const bridged = dns !== undefined || proxiedServices(services).length > 0;
    const wanted = new Set([...(bridged ? [BRIDGE_NF_CALL_IPTABLES] : []), ...localnets.map(routeLocalnetKey)]);
    const hash = createHash('sha256').update(script).digest('hex');

    // An older podctl's record goes into the ledger before anything else, or no one gives it back.
    if (previous?.localnet) await this.sysctls.adopt(routeLocalnetKey(previous.localnet.iface), previous.localnet.previous === '1' ? '1' : '0');
    const given = await this.steps.run('services-release-sysctls', () => this.sysctls.release(wanted));
    if (given.length > 0) this.logger.debug('sysctls put back', { keys: given });
    // A bridge the first pod's plugin is about to create starts with the kernel's default for new interfaces.
    const freshInterface = localnets.length > 0 ? await this.host.sysctls.read(routeLocalnetKey('default')) : undefined;
    await this.steps.run('services-record-sysctls', () => this.sysctls.record([...wanted].map((key) => ({ key, absentAs: key === BRIDGE_NF_CALL_IPTABLES ? '0' : freshInterface }))));
    // The DNS server first, then the rules that lead to it; when it goes, the rules first.
    if (dns) await this.steps.run('services-dns-server', () => this.dnsProcess.ensure({ listen: [dns.server], port: DNS_PORT, zone: zoneData([...services, kubeDnsOf(dns)], pods, this.serviceCidr) }));
    if (bridged) {
      await this.steps.run('services-bridge-netfilter', async () => {
        await this.host.loadBridgeNetfilter();
        await this.sysctls.set(BRIDGE_NF_CALL_IPTABLES, '1');
      });
    }
    let kernel = previous?.kernel;
    if (force || hash !== previous?.hash) {
      await this.steps.run('services-rules', () => applyNft(this.host.exec, script));
      this.logger.debug('service rules written', { services: records.length, bytes: script.length });
      // A table deleted right after this write is recorded as gone, so that serve's next
      // check rewrites it (recording nothing would make the check believe nothing was written).
      kernel = tabled ? ((await kernelTableDigest(this.host.exec)) ?? TABLE_GONE) : undefined;
    }
    if (localnets.length > 0) await this.steps.run('services-route-localnet', () => Promise.all(localnets.map((iface) => this.sysctls.set(routeLocalnetKey(iface), '1'))));
    if (!dns && (previous?.dns || force)) await this.dnsProcess.stop();
    const udp = udpFlows(services);
    await flushUdpFlows(this.host.exec, removedFlows(previous?.udp ?? [], udp)).catch((err: unknown) => this.logger.warn(`stale UDP conntrack entries stay: ${String(err)}`));
    await this.rewriteHostsFiles(services, pods, dns !== undefined);

    if (records.length === 0 && !tabled) await removeIfExists(this.appliedPath);
    else await writeJsonAtomic(this.appliedPath, { hash, udp, ...(dns ? { dns } : {}), ...(kernel ? { kernel } : {}) } satisfies Applied);
    return services;
  }

  /**
   * Whether the cluster DNS runs after this sync, and where: while a pod uses it (or one is
   * starting: `wantDns`), on the default bridge's gateway address. A user service that holds
   * its address (made before podctl reserved it) keeps it from running, with a warning.
   */
  private dnsTarget(records: ServiceRecord[], pods: ProxyPod[], nodePorts: NodePortHost, wantDns: boolean, previous: Applied['dns']): Applied['dns'] {
    if (!wantDns && !pods.some((p) => p.clusterDns)) return undefined;
    const ip = clusterDnsAddress(this.serviceCidr);
    // The server stays on the bridge its pods use while they run: a podctl with another
    // --cni-conf-dir syncs too (its default network is another bridge, perhaps not made yet).
    // Only a pod starting on this network's bridge (wantDns) takes it there.
    if (!wantDns && previous?.ip === ip) return previous;
    const bridge = nodePorts.bridge;
    if (!bridge?.ip) return undefined;
    const holder = records.find((r) => r.clusterIP === ip && !(r.name === KUBE_DNS.name && r.namespace === KUBE_DNS.namespace));
    if (holder) {
      this.logger.warn(`the cluster DNS cannot start: service ${holder.namespace}/${holder.name} holds its address ${ip}; pods resolve service names through their hosts files. Delete that service and apply it again without clusterIP, then restart the pods`);
      return undefined;
    }
    const since = previous?.ip === ip ? previous.since : new Date().toISOString();
    return { ip, server: bridge.ip, bridge: bridge.name, since };
  }

  /** In place, never empty nor short to a reader in the pod (util/rewrite-in-place.ts). */
  private async rewriteHostsFiles(services: ServiceEndpoints[], pods: ProxyPod[], dnsServes: boolean): Promise<void> {
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
        // A pod the DNS server answers keeps only the kubelet's lines: no stale name can shadow DNS.
        const next = withServiceHosts(current, dnsServes && pod.clusterDns ? '' : blocks.get(pod.namespace)!);
        if (next !== current) await rewriteInPlace(pod.hostsFile, next);
      }),
    );
  }
}

/**
 * Where route_localnet must be on, sorted: the bridge NodePorts answer 127.0.0.1 through (a
 * NodePort service exists), and each interface a running or starting pod's published ports
 * need (its plugin switches it on: podctl records the first value before and guards it).
 */
function localnetInterfaces(records: ServiceRecord[], pods: ProxyPod[], nodePorts: NodePortHost): string[] {
  const nodePortBridge = records.some((r) => r.type === 'NodePort') && nodePorts.bridge ? [nodePorts.bridge.name] : [];
  return [...new Set([...nodePortBridge, ...pods.flatMap((p) => (p.routeLocalnet ? [p.routeLocalnet] : []))])].sort();
}

const kubeDnsOf = (dns: ClusterDnsTarget & { since: string }): ServiceEndpoints => kubeDnsEndpoints(dns, dns.since);
