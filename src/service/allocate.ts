import { randomUUID } from 'node:crypto';
import { cidrFamily, cidrsOverlap } from '../util/cidr.js';
import { PodctlError, invalidArgument } from '../util/errors.js';
import { HEADLESS, type ServiceNetwork, type ServicePort, type ServiceRecord, type ServiceSpec } from './types.js';

const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** First and last assignable address of an IPv4 CIDR (network and broadcast addresses excluded). */
export function cidrHosts(cidr: string): { first: number; last: number } {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(toInt(base!) / size) * size;
  return { first: start + 1, last: start + size - 2 };
}

/** The 10th address of the service range (10.96.0.10 in 10.96.0.0/16): the cluster DNS's, reserved as kubeadm does. */
export function clusterDnsAddress(serviceCidr: string): string {
  return toIp(cidrHosts(serviceCidr).first + 9);
}

const sameService = (a: Pick<ServiceSpec, 'name' | 'namespace'>, b: Pick<ServiceSpec, 'name' | 'namespace'>) => a.name === b.name && a.namespace === b.namespace;
const refOf = (s: Pick<ServiceSpec, 'name' | 'namespace'>) => `${s.namespace}/${s.name}`;

/**
 * Gives a service its addresses, against the others already stored: the ClusterIP it already
 * has (stable for its life), the one its spec asks for when free, else the lowest free one; and
 * likewise a NodePort for each port of a NodePort service. Conflicts are refused with one line.
 * Pure: the caller holds the services lock and stores the result.
 */
export function allocate(spec: ServiceSpec, existing: ServiceRecord[], network: ServiceNetwork, now = new Date()): ServiceRecord {
  const current = existing.find((s) => sameService(s, spec));
  const others = existing.filter((s) => !sameService(s, spec));
  const clusterIP = allocateClusterIP(spec, current, others, network);
  const ports = spec.type === 'NodePort' ? allocateNodePorts(spec, current, others, network) : spec.ports.map(({ nodePort: _, ...p }) => p);
  return {
    version: 1,
    ...spec,
    clusterIP,
    ports,
    uid: current?.uid ?? randomUUID(),
    createdAt: current?.createdAt ?? now.toISOString(),
  };
}

function allocateClusterIP(spec: ServiceSpec, current: ServiceRecord | undefined, others: ServiceRecord[], network: ServiceNetwork): string {
  const wanted = spec.clusterIP;
  if (current && wanted !== undefined && wanted !== current.clusterIP) {
    throw invalidArgument(`service ${refOf(spec)}: spec.clusterIP: is ${current.clusterIP} and cannot change to ${wanted}`, 'leave clusterIP out, or delete the service and apply it again');
  }
  if (current) return current.clusterIP;
  if (wanted === HEADLESS) return HEADLESS;
  const { first, last } = cidrHosts(network.serviceCidr);
  const dns = clusterDnsAddress(network.serviceCidr);
  const taken = new Set([...others.map((s) => s.clusterIP), dns]);
  if (wanted !== undefined) {
    const n = toInt(wanted);
    if (n < first || n > last) throw invalidArgument(`service ${refOf(spec)}: spec.clusterIP: ${wanted} is outside the service range ${network.serviceCidr}`, `leave clusterIP out, or pick an address of ${network.serviceCidr}`);
    if (wanted === dns) throw new PodctlError('ALREADY_EXISTS', `service ${refOf(spec)}: spec.clusterIP: ${wanted} is reserved for the cluster DNS (kube-system/kube-dns)`, { hint: 'leave clusterIP out to get a free address' });
    const owner = others.find((s) => s.clusterIP === wanted);
    if (owner) throw new PodctlError('ALREADY_EXISTS', `service ${refOf(spec)}: spec.clusterIP: ${wanted} is taken by service ${refOf(owner)}`, { hint: 'leave clusterIP out to get a free address' });
    return wanted;
  }
  for (let n = first; n <= last; n++) if (!taken.has(toIp(n))) return toIp(n);
  throw new PodctlError('FAILED_PRECONDITION', `service ${refOf(spec)}: the service range ${network.serviceCidr} has no free address`, { hint: 'delete services you no longer need' });
}

function allocateNodePorts(spec: ServiceSpec, current: ServiceRecord | undefined, others: ServiceRecord[], network: ServiceNetwork): ServicePort[] {
  const { min, max } = network.nodePortRange;
  const owners = new Map<string, ServiceRecord>();
  for (const s of others) for (const p of s.ports) if (p.nodePort !== undefined) owners.set(`${p.protocol}/${p.nodePort}`, s);
  const mine = new Set<string>();
  const claim = (p: ServicePort, nodePort: number) => {
    mine.add(`${p.protocol}/${nodePort}`);
    return { ...p, nodePort };
  };
  // Ports that name their NodePort first, so a free pick never takes one asked for further down.
  const named = spec.ports.map((p) => {
    if (p.nodePort === undefined) return undefined;
    if (p.nodePort < min || p.nodePort > max) throw invalidArgument(`service ${refOf(spec)}: nodePort ${p.nodePort} is outside the NodePort range ${min}-${max}`, `leave nodePort out, or pick one of ${min}-${max}`);
    const owner = owners.get(`${p.protocol}/${p.nodePort}`);
    if (owner) throw new PodctlError('ALREADY_EXISTS', `service ${refOf(spec)}: nodePort ${p.protocol} ${p.nodePort} is taken by service ${refOf(owner)}`, { hint: 'leave nodePort out to get a free one' });
    return claim(p, p.nodePort);
  });
  return spec.ports.map((p, i) => {
    if (named[i]) return named[i];
    const kept = current?.ports.find((c) => c.protocol === p.protocol && (c.name ?? c.port) === (p.name ?? p.port))?.nodePort;
    if (kept !== undefined && !owners.has(`${p.protocol}/${kept}`) && !mine.has(`${p.protocol}/${kept}`)) return claim(p, kept);
    for (let n = min; n <= max; n++) if (!owners.has(`${p.protocol}/${n}`) && !mine.has(`${p.protocol}/${n}`)) return claim(p, n);
    throw new PodctlError('FAILED_PRECONDITION', `service ${refOf(spec)}: no free NodePort in ${min}-${max}`, { hint: 'delete NodePort services you no longer need' });
  });
}

/** Checks a service network option: an IPv4 prefix (/8 to /30) that overlaps none of the networks podctl knows. */
export function validateServiceCidr(cidr: string, avoid: string[]): void {
  const bits = Number(cidr.slice(cidr.indexOf('/') + 1));
  if (cidrFamily(cidr) !== 4 || bits < 8 || bits > 30) throw invalidArgument(`service range ${cidr} is not an IPv4 CIDR between /8 and /30`, 'use e.g. 10.96.0.0/16');
  const clash = avoid.find((other) => cidrsOverlap(cidr, other));
  if (clash) throw invalidArgument(`service range ${cidr} overlaps ${clash}`, 'pick a range that no pod, Docker or podman network uses (default 10.96.0.0/16)');
}
