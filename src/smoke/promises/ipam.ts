import type { PluginConf } from '../../cni/index.js';
import { access } from 'node:fs/promises';
import { cidrContains, compareIp, sameInterfaceAddress } from '../../util/cidr.js';
import { isObj } from '../checks/json.js';
import { bareIp, describeDns } from '../checks/result-view.js';
import { ipamRanges } from '../checks/subnets.js';
import { verdict, type PluginPromises } from './types.js';

/** Which configured range holds each address; the addresses no range holds are the problems. */
export function hostLocalProblems(conf: PluginConf, addresses: string[]): string[] {
  const ranges = ipamRanges(conf);
  return addresses
    .filter((a) => !ranges.some((r) => cidrContains(r.subnet, bareIp(a))
      && (r.rangeStart === undefined || compareIp(bareIp(a), r.rangeStart) >= 0)
      && (r.rangeEnd === undefined || compareIp(bareIp(a), r.rangeEnd) <= 0)))
    .map((a) => `host-local gave ${a}, outside every configured range (${ranges.map((r) => r.subnet).join(', ') || 'none'})`);
}

/** static gives exactly its configured addresses. */
export function staticProblems(ipam: Record<string, unknown>, addresses: string[]): string[] {
  const wanted = (Array.isArray(ipam.addresses) ? ipam.addresses : []).flatMap((a) => (isObj(a) && typeof a.address === 'string' ? [a.address] : []));
  const problems = wanted.filter((w) => !addresses.some((a) => sameInterfaceAddress(a, w))).map((w) => `static address ${w} is not in the result`);
  problems.push(...addresses.filter((a) => !wanted.some((w) => sameInterfaceAddress(a, w))).map((a) => `the result has ${a}, which static was not given`));
  return problems;
}

/** Routes the ipam config names, as `dst via gw`, that the result lacks. */
export function missingConfiguredRoutes(ipam: Record<string, unknown>, resultRoutes: Array<{ dst: string; gw?: string }>): string[] {
  const routes = (Array.isArray(ipam.routes) ? ipam.routes : []).filter(isObj);
  return routes
    .filter((r) => !resultRoutes.some((got) => got.dst === r.dst && (r.gw === undefined || got.gw === r.gw)))
    .map((r) => `ipam route ${String(r.dst)}${r.gw ? ` via ${String(r.gw)}` : ''} is not in the result`);
}

/** The DHCP daemon's socket: the dhcp ipam plugin only forwards to it. */
const DHCP_SOCKET = '/run/cni/dhcp.sock';

/**
 * The ipam section of an interface plugin: host-local's addresses inside its ranges, static's
 * exactly its own, the configured routes in the result, and the DNS the result carries.
 * (That the kernel has the result's addresses and routes, the interface and routes checks say.)
 */
export const ipamPromises: PluginPromises = (conf, _index, pod) => {
  const ipam = isObj(conf.ipam) ? conf.ipam : undefined;
  if (!ipam || typeof ipam.type !== 'string') return [];
  const name = `${pod.label} ipam ${ipam.type}`;
  const { addresses, routes, dns } = pod.view;
  const seen = `${addresses.join(', ')}; routes ${routes.map((r) => `${r.dst}${r.gw ? ` via ${r.gw}` : ''}`).join(', ') || 'none'}; ${describeDns(dns)}`;
  switch (ipam.type) {
    case 'host-local':
      return [{ name, run: () => verdict([...hostLocalProblems({ type: 'host-local', ipam }, addresses), ...missingConfiguredRoutes(ipam, routes)], seen) }];
    case 'static':
      return [{ name, run: () => verdict([...staticProblems(ipam, addresses), ...missingConfiguredRoutes(ipam, routes)], seen) }];
    case 'dhcp':
      return [{
        name,
        run: async () => {
          if (!(await access(DHCP_SOCKET).then(() => true, () => false))) return { skipped: `no DHCP daemon: ${DHCP_SOCKET} does not exist (start it with \`/usr/lib/cni/dhcp daemon\`)` };
          return verdict(addresses.length === 0 ? ['the DHCP daemon gave no address'] : [], `leased ${seen}`);
        },
      }];
    default:
      return [{ name, run: () => ({ skipped: `podctl does not know what ipam ${ipam.type} promises; it ran and was leak-checked, its effect was not checked` }) }];
  }
};
