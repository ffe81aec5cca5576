import { bridgeOfPlugin } from '../../cni/index.js';
import type { KernelRoute } from '../host/net-probe.js';
import { cidrContains, cidrsOverlap, compareIp, toCidr } from '../../util/cidr.js';
import { isObj, type Json } from './json.js';

/** One address range of an `ipam` section: a top-level subnet or one entry of `ranges`. */
export interface IpamRange {
  /** Where it is in the config, e.g. `plugins[0].ipam.ranges[0][0]`. */
  where: string;
  subnet: string;
  gateway?: string;
  rangeStart?: string;
  rangeEnd?: string;
}

/** A subnet of another network tested in the same run. */
export interface OtherSubnet {
  network: string;
  subnet: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Every subnet-bearing range of every plugin's ipam (a single-plugin conf is its own plugin). */
export function ipamRanges(root: unknown): IpamRange[] {
  if (!isObj(root)) return [];
  const plugins = Array.isArray(root.plugins) ? root.plugins : [root];
  const out: IpamRange[] = [];
  plugins.forEach((plugin, i) => {
    if (!isObj(plugin) || !isObj(plugin.ipam)) return;
    const base = Array.isArray(root.plugins) ? `plugins[${i}].ipam` : 'ipam';
    const push = (r: Json, where: string) => {
      const subnet = str(r.subnet);
      if (subnet === undefined) return;
      out.push({ where, subnet, gateway: str(r.gateway), rangeStart: str(r.rangeStart), rangeEnd: str(r.rangeEnd) });
    };
    push(plugin.ipam, base);
    const ranges = plugin.ipam.ranges;
    if (Array.isArray(ranges)) {
      ranges.forEach((set, s) => Array.isArray(set) && set.forEach((r, j) => isObj(r) && push(r, `${base}.ranges[${s}][${j}]`)));
    }
  });
  return out;
}

/** Bridge names the network's own routes go through (their host routes are not a conflict). */
export function ownDevices(root: unknown): Set<string> {
  const devs = new Set<string>();
  if (!isObj(root)) return devs;
  const plugins = Array.isArray(root.plugins) ? root.plugins : [root];
  for (const p of plugins) {
    if (isObj(p) && p.type === 'bridge') devs.add(bridgeOfPlugin(p));
  }
  return devs;
}

/**
 * Subnet sanity: each gateway and range bound inside its subnet, start before end, and no
 * overlap with a host route (other than the network's own bridge) or another tested network.
 */
export function subnetProblems(ranges: IpamRange[], others: OtherSubnet[], hostRoutes: KernelRoute[], own: Set<string>): string[] {
  const problems: string[] = [];
  for (const r of ranges) {
    const subnet = toCidr(r.subnet);
    if (!subnet) {
      problems.push(`${r.where}.subnet ${JSON.stringify(r.subnet)} is not a CIDR`);
      continue;
    }
    for (const key of ['gateway', 'rangeStart', 'rangeEnd'] as const) {
      const ip = r[key];
      if (ip !== undefined && !cidrContains(subnet, ip)) problems.push(`${r.where}.${key} ${ip} is outside subnet ${r.subnet}`);
    }
    if (r.rangeStart && r.rangeEnd && compareIp(r.rangeStart, r.rangeEnd) > 0) {
      problems.push(`${r.where}: rangeStart ${r.rangeStart} is after rangeEnd ${r.rangeEnd}`);
    }
    for (const other of others) {
      const theirs = toCidr(other.subnet);
      if (theirs && cidrsOverlap(subnet, theirs)) problems.push(`subnet ${r.subnet} overlaps subnet ${other.subnet} of network ${other.network}`);
    }
    const clash = hostRoutes.find((route) => !(route.dev !== undefined && own.has(route.dev)) && overlapsRoute(subnet, route));
    if (clash) problems.push(`subnet ${r.subnet} overlaps host route ${clash.dst}${clash.dev ? ` dev ${clash.dev}` : ''}`);
  }
  return problems;
}

function overlapsRoute(subnet: string, route: KernelRoute): boolean {
  if (route.dst === 'default') return false; // the default route holds everything by design
  const dst = toCidr(route.dst);
  return dst !== undefined && cidrsOverlap(subnet, dst);
}
