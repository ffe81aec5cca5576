import type { Answer } from 'dns-packet';

/**
 * The cluster zone as the Kubernetes DNS specification (kubernetes/dns, docs/specification.md)
 * defines it, answered from a snapshot of services and pods. Pure: the server asks it one
 * question at a time; the snapshot is replaced whole when the services sync writes a new one.
 */
export const CLUSTER_DOMAIN = 'cluster.local';
/** The spec's schema version record, `dns-version.<zone>` TXT. */
const SCHEMA_VERSION = '1.1.0';
/** CoreDNS's kubernetes plugin answers with 5 s: short enough to follow endpoints. */
export const CLUSTER_TTL = 5;

export interface ZoneService {
  name: string;
  namespace: string;
  /** An address, or `None` for a headless service. */
  clusterIP: string;
  ports: Array<{ name?: string; protocol: string; port: number }>;
  /** Headless only: the ready endpoints, each with its DNS hostname (the pod's, or its dashed IP). */
  endpoints: Array<{ ip: string; hostname: string }>;
}

export interface ZonePod {
  namespace: string;
  ip: string;
}

/** What the services sync hands the server: everything it answers from. */
export interface ZoneData {
  domain: string;
  serviceCidr: string;
  services: ZoneService[];
  pods: ZonePod[];
}

export type ZoneRcode = 'NOERROR' | 'NXDOMAIN';

export interface ZoneAnswer {
  rcode: ZoneRcode;
  answers: Answer[];
  /** The SOA on NXDOMAIN and NODATA (negative caching, RFC 2308). */
  authorities: Answer[];
  additionals: Answer[];
}

const HEADLESS = 'None';
const lower = (name: string) => name.toLowerCase().replace(/\.$/, '');
export const dashedIP = (ip: string) => ip.replace(/\./g, '-');

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base ?? '');
  if (a === undefined || b === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(a / size) === Math.floor(b / size);
}

/** The address a reverse name (`4.3.2.1.in-addr.arpa`) stands for, when it names one address. */
export function reverseAddress(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(lower(name));
  if (!m) return undefined;
  const ip = [m[4], m[3], m[2], m[1]].join('.');
  return ipv4ToInt(ip) === undefined ? undefined : ip;
}

interface Node {
  a: string[];
  srv: Array<{ port: number; target: string }>;
  ptr?: string;
  txt?: string;
}

/**
 * One question at a time against the snapshot: `handles(name)` says whether the name is the
 * zone's (never forwarded); `answer` gives A, SRV, PTR and TXT records, NXDOMAIN for names that
 * do not exist and NODATA (NOERROR, no answer) for names that exist with other types, both
 * with the zone's SOA. Names are matched case-insensitively and answered as asked.
 */
export class ClusterZone {
  private readonly names = new Map<string, Node>();
  /** Every name with records and every name above one (empty non-terminals exist: NODATA). */
  private readonly existing = new Set<string>();
  private readonly reverse = new Map<string, string>();
  readonly domain: string;

  constructor(private readonly data: ZoneData) {
    this.domain = lower(data.domain);
    this.add(`dns-version.${this.domain}`, (n) => (n.txt = SCHEMA_VERSION));
    this.mark(this.domain);
    for (const s of data.services) this.addService(s);
    for (const p of data.pods) {
      const name = `${dashedIP(p.ip)}.${lower(p.namespace)}.pod.${this.domain}`;
      this.add(name, (n) => n.a.push(p.ip));
      if (!this.reverse.has(p.ip)) this.reverse.set(p.ip, name);
    }
  }

  private addService(s: ZoneService): void {
    const fqdn = `${lower(s.name)}.${lower(s.namespace)}.svc.${this.domain}`;
    const headless = s.clusterIP === HEADLESS;
    // A service exists as a name even with no endpoints (NODATA, not NXDOMAIN, for its A).
    this.add(fqdn, (n) => {
      if (!headless) n.a.push(s.clusterIP);
      else n.a.push(...s.endpoints.map((e) => e.ip));
    });
    if (!headless) this.reverse.set(s.clusterIP, fqdn);
    for (const e of headless ? s.endpoints : []) {
      const host = `${lower(e.hostname)}.${fqdn}`;
      this.add(host, (n) => n.a.push(e.ip));
      // A pod behind a headless service is named by it in reverse, over its pod-IP name.
      this.reverse.set(e.ip, host);
    }
    for (const p of s.ports) {
      if (!p.name) continue;
      const srvName = `_${lower(p.name)}._${p.protocol.toLowerCase()}.${fqdn}`;
      this.add(srvName, (n) => {
        if (!headless) n.srv.push({ port: p.port, target: fqdn });
        else n.srv.push(...s.endpoints.map((e) => ({ port: p.port, target: `${lower(e.hostname)}.${fqdn}` })));
      });
    }
  }

  private add(name: string, fill: (n: Node) => void): void {
    let node = this.names.get(name);
    if (!node) this.names.set(name, (node = { a: [], srv: [] }));
    fill(node);
    this.mark(name);
  }

  private mark(name: string): void {
    const labels = name.split('.');
    for (let i = 0; i < labels.length; i++) this.existing.add(labels.slice(i).join('.'));
  }

  /** True for the zone's own names and for reverse names of the service range and known pods. */
  handles(name: string): boolean {
    const n = lower(name);
    if (n === this.domain || n.endsWith(`.${this.domain}`)) return true;
    const ip = reverseAddress(n);
    return ip !== undefined && (this.reverse.has(ip) || inCidr(ip, this.data.serviceCidr));
  }

  answer(name: string, type: string): ZoneAnswer {
    const n = lower(name);
    const ip = reverseAddress(n);
    if (ip !== undefined) {
      const target = this.reverse.get(ip);
      if (!target) return this.negative('NXDOMAIN');
      return type === 'PTR' || type === 'ANY' ? this.positive([{ name, type: 'PTR', ttl: CLUSTER_TTL, class: 'IN', data: target }]) : this.negative('NOERROR');
    }
    const node = this.names.get(n);
    if (!node) return this.negative(this.existing.has(n) ? 'NOERROR' : 'NXDOMAIN');
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    if (type === 'A' || type === 'ANY') answers.push(...node.a.map((a): Answer => ({ name, type: 'A', ttl: CLUSTER_TTL, class: 'IN', data: a })));
    if (type === 'SRV' || type === 'ANY') {
      // Weight spread evenly, as CoreDNS does; each target's address rides along.
      const weight = node.srv.length ? Math.floor(100 / node.srv.length) : 0;
      for (const s of node.srv) {
        answers.push({ name, type: 'SRV', ttl: CLUSTER_TTL, class: 'IN', data: { priority: 0, weight, port: s.port, target: s.target } });
        for (const a of this.names.get(s.target)?.a ?? []) additionals.push({ name: s.target, type: 'A', ttl: CLUSTER_TTL, class: 'IN', data: a });
      }
    }
    if ((type === 'TXT' || type === 'ANY') && node.txt) answers.push({ name, type: 'TXT', ttl: CLUSTER_TTL, class: 'IN', data: node.txt });
    if (answers.length === 0) return this.negative('NOERROR');
    return { rcode: 'NOERROR', answers, authorities: [], additionals };
  }

  private positive(answers: Answer[]): ZoneAnswer {
    return { rcode: 'NOERROR', answers, authorities: [], additionals: [] };
  }

  private negative(rcode: ZoneRcode): ZoneAnswer {
    return { rcode, answers: [], authorities: [this.soa()], additionals: [] };
  }

  private soa(): Answer {
    return {
      name: this.domain,
      type: 'SOA',
      ttl: CLUSTER_TTL,
      class: 'IN',
      data: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: CLUSTER_TTL },
    };
  }
}
