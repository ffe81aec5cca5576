import { join } from 'node:path';
import { withFileLock } from '../util/file-lock.js';
import { PodctlError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { allocate, validateServiceCidr } from './allocate.js';
import { clusterSearches, renderServiceHosts, serviceEnv } from './dns.js';
import { realServiceHost, requireNft, type ServiceHost } from './host.js';
import { computeEndpoints } from './endpoints.js';
import { KUBE_DNS, clusterDnsAddress, kubeDnsEndpoints } from './cluster-dns.js';
import { cidrContains, cidrFamily, networkOf } from '../util/cidr.js';
import type { DnsRunner } from '../dns/process.js';
import { ServiceProxy, type NodePortHost, type ProxyPod, type SyncSteps } from './proxy.js';
import { ServiceStore, type ServiceRef } from './store.js';
import { DEFAULT_SERVICE_NETWORK, type NodePortAddresses, type ServiceEndpoints, type ServiceNetwork, type ServiceRecord, type ServiceSpec } from './types.js';

/** What services need from the pod layer, passed in so this module never imports it. */
export interface PodsForServices {
  /** Every pod, from one labelled list call plus the checkpoints; `leaving` ones are not ready. */
  pods(leaving: ServiceRef[]): Promise<ProxyPod[]>;
  /** podctl's default network: its bridge (NodePorts answer on its address) and its subnets. */
  network(): Promise<{ name?: string; bridge?: { name: string; ip?: string }; subnets: string[] }>;
}

export interface ServiceOptions {
  stateDir: string;
  runDir: string;
  logger: Logger;
  pods: PodsForServices;
  /** Default 10.96.0.0/16 ($PODCTL_SERVICE_CIDR). */
  serviceCidr?: string;
  /** Where NodePorts also answer to anyone ($PODCTL_NODEPORT_ADDRESSES: `all`, or prefixes). */
  nodePortAddresses?: NodePortAddresses;
  /** The host's programs and sysctls (a fake in unit tests). */
  host?: ServiceHost;
  /** The cluster DNS process (a fake in unit tests). */
  dns?: DnsRunner;
  /** Names each stretch of a sync that changes the host (the pod layer's step runner: fault injection in tests). */
  steps?: SyncSteps;
}

export type ApplyServiceOutcome = 'created' | 'configured' | 'unchanged';

/** Networks a service range must stay clear of besides podctl's own pod subnets. */
const FOREIGN_NETWORKS = ['172.17.0.0/16', '10.88.0.0/16'];

const refText = (r: ServiceRef) => `${r.namespace}/${r.name}`;

/**
 * Services on one host: the desired state (records), and every change to it or to the pods
 * followed by a sync of rules, endpoints and pod hosts files. One lock (`services.lock`)
 * serialises allocation and syncs across podctl processes; syncs read the state afresh under
 * it, so the last one always writes what is true now.
 */
export class ServiceManager {
  private readonly store: ServiceStore;
  private readonly proxy: ServiceProxy;
  private readonly host: ServiceHost;
  readonly network: ServiceNetwork;

  constructor(private readonly options: ServiceOptions) {
    this.store = new ServiceStore(options.stateDir);
    this.host = options.host ?? realServiceHost;
    this.network = { ...DEFAULT_SERVICE_NETWORK, serviceCidr: options.serviceCidr ?? DEFAULT_SERVICE_NETWORK.serviceCidr };
    this.proxy = new ServiceProxy(options.runDir, this.network.serviceCidr, this.host, options.logger, options.steps, options.dns);
  }

  /** Creates or updates a service; its rules and every pod's hosts file are current when this returns. */
  async apply(spec: ServiceSpec): Promise<{ service: ServiceEndpoints; outcome: ApplyServiceOutcome }> {
    return (await this.applyAll([spec]))[0]!;
  }

  /**
   * Creates or updates several services (one `apply -f`) as one change: every one is allocated
   * before any record is written (a refusal changes nothing), then one sync writes the rules
   * in one transaction, so a podctl killed meanwhile leaves the old table or the new one.
   */
  async applyAll(specs: ServiceSpec[]): Promise<Array<{ service: ServiceEndpoints; outcome: ApplyServiceOutcome }>> {
    await requireNft(this.host.exec);
    const { subnets } = await this.options.pods.network();
    validateServiceCidr(this.network.serviceCidr, [...subnets, ...FOREIGN_NETWORKS]);
    return this.locked(async () => {
      const original = await this.store.list();
      let records = original;
      const planned = specs.map((spec) => {
        const previous = records.find((r) => sameRef(r, spec));
        const record = allocate(spec, records, this.network);
        const outcome: ApplyServiceOutcome = !previous ? 'created' : sameSpec(previous, record) ? 'unchanged' : 'configured';
        if (outcome !== 'unchanged') records = [...records.filter((r) => !sameRef(r, record)), record];
        return { record, outcome };
      });
      const changed = records.filter((r) => !original.includes(r));
      await Promise.all(changed.map((r) => this.store.write(r)));
      let synced: ServiceEndpoints[];
      try {
        synced = await this.syncLocked();
      } catch (err) {
        // Nothing changed: the old records back, and the rules that go with them.
        await Promise.all(changed.map((r) => {
          const before = original.find((o) => sameRef(o, r));
          return before ? this.store.write(before) : this.store.remove(r);
        }));
        await this.syncLocked().catch(() => undefined);
        throw err;
      }
      return planned.map(({ record, outcome }) => ({ service: find(synced, record)!, outcome }));
    });
  }

  /** Removes a service; false when there was none. */
  async remove(ref: ServiceRef): Promise<boolean> {
    return this.locked(async () => {
      if (!(await this.store.read(ref))) return false;
      await this.store.remove(ref);
      await this.syncLocked();
      return true;
    });
  }

  /** Services (one namespace, or all) with their current endpoints; kube-system/kube-dns while the cluster DNS runs. */
  async list(namespace?: string): Promise<ServiceEndpoints[]> {
    const [stored, dns] = await Promise.all([this.store.list(), this.proxy.clusterDns()]);
    const records = stored.filter((r) => namespace === undefined || r.namespace === namespace);
    const kubeDns = dns && (namespace === undefined || namespace === KUBE_DNS.namespace) ? [kubeDnsEndpoints(dns, dns.since)] : [];
    if (records.length === 0) return kubeDns;
    return [...kubeDns, ...computeEndpoints(records, await this.options.pods.pods([]))];
  }

  /** True when one of a pod's routes covers the cluster DNS address (a bridge without a default route reaches only its subnet). */
  routesToClusterDns(routes: string[]): boolean {
    const ip = clusterDnsAddress(this.network.serviceCidr);
    return routes.some((dst) => cidrFamily(dst) === 4 && cidrContains(dst, ip));
  }

  /**
   * The cluster DNS for a pod being started on `network`: its nameserver address once the
   * server runs and the rules lead to it, or undefined when the pod cannot use it (another
   * network than the default gateway bridge, or the server cannot run: the warning says why).
   * Costs a file read and a /proc read when it already runs.
   */
  async clusterDns(network: string): Promise<string | undefined> {
    const net = await this.options.pods.network();
    if (net.name !== network || !net.bridge?.ip) return undefined;
    const running = await this.proxy.clusterDns();
    if (running && running.server === net.bridge.ip) return running.ip;
    await requireNft(this.host.exec);
    return this.locked(async () => {
      await this.syncLocked({ wantDns: true });
      return (await this.proxy.clusterDns())?.ip;
    });
  }

  /**
   * Records and guards the route_localnet that starting pods' published ports need (their
   * checkpoints name the interface), before their plugins switch it on. Needs nft: the guard
   * is a rule of podctl's table.
   */
  async guardLocalnet(): Promise<void> {
    await requireNft(this.host.exec);
    await this.locked(() => this.syncLocked());
  }

  async get(ref: ServiceRef): Promise<ServiceEndpoints> {
    const [found] = (await this.list(ref.namespace)).filter((s) => s.service.name === ref.name);
    if (!found) throw new PodctlError('NOT_FOUND', `service ${refText(ref)} not found`, { hint: 'list services with podctl get svc -A' });
    return found;
  }

  /**
   * Brings rules, endpoints and hosts files up to date with the pods. `leaving` pods are left
   * out of every endpoint list: stop and remove call this before a pod's containers stop.
   * Costs two file reads when no service exists and none did.
   */
  async sync(options: { leaving?: ServiceRef[]; force?: boolean } = {}): Promise<void> {
    if (await this.proxy.idle(await this.store.list())) return;
    await this.locked(() => this.syncLocked(options));
  }

  /**
   * Rewrites the rules when the kernel's table no longer is the one the last sync wrote
   * (deleted or edited behind podctl's back); one `nft list` when it still is. True when it rewrote.
   */
  async repairDrift(): Promise<boolean> {
    if (!(await this.proxy.drifted())) return false;
    await this.locked(() => this.syncLocked({ force: true }));
    return true;
  }

  /** The env Kubernetes gives a pod for the services of its namespace that exist now. */
  async env(namespace: string): Promise<Record<string, string>> {
    return serviceEnv(await this.store.list(), namespace);
  }

  /** A starting pod's services block of its hosts file, and its search list. */
  async podFiles(namespace: string): Promise<{ hosts: string; searches: string[] }> {
    const services = await this.list();
    return { hosts: renderServiceHosts(services, namespace), searches: clusterSearches(namespace) };
  }

  private async syncLocked(options: { leaving?: ServiceRef[]; force?: boolean; wantDns?: boolean } = {}): Promise<ServiceEndpoints[]> {
    const [records, pods, network] = await Promise.all([this.store.list(), this.options.pods.pods(options.leaving ?? []), this.options.pods.network()]);
    const nodePorts: NodePortHost = { addresses: this.options.nodePortAddresses ?? 'default', podSubnets: network.subnets.map(networkOf), ...(network.bridge ? { bridge: network.bridge } : {}) };
    return this.proxy.sync(records, pods, nodePorts, options.force ?? false, options.wantDns ?? false);
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.options.runDir, 'locks', 'services.lock'), fn, { what: 'the services of this host' });
  }
}

const sameRef = (a: ServiceRef, b: ServiceRef) => a.name === b.name && a.namespace === b.namespace;

const find = (all: ServiceEndpoints[], r: ServiceRef) => all.find((s) => s.service.name === r.name && s.service.namespace === r.namespace);

function sameSpec(a: ServiceRecord, b: ServiceRecord): boolean {
  const strip = ({ createdAt: _c, uid: _u, ...rest }: ServiceRecord) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
