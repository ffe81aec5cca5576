import { toCurrentResult, type CniResult, type DnsConf, type Route } from '../../cni/index.js';

/** What an ADD result says the pod got, normalised to the 1.x shape whatever its version. */
export interface PodNetView {
  ifName: string;
  /** The MAC the result reports for the pod's interface (0.1.0/0.2.0 results have none). */
  mac?: string;
  /** `address/prefix` of the pod's interface. */
  addresses: string[];
  gateways: string[];
  routes: Route[];
  dns?: DnsConf;
  /** Host-side interfaces the result names (veths, bridges). */
  hostInterfaces: string[];
}

export function podNetView(result: CniResult, ifName: string): PodNetView {
  const r = toCurrentResult(result);
  const interfaces = r.interfaces ?? [];
  const podIndex = interfaces.findIndex((i) => i.name === ifName && i.sandbox !== undefined && i.sandbox !== '');
  // An ip with no interface index, or one pointing at the pod's interface, belongs to the pod.
  const ips = (r.ips ?? []).filter((ip) => ip.interface === undefined || ip.interface === podIndex || podIndex < 0);
  return {
    ifName,
    ...(podIndex >= 0 && interfaces[podIndex]!.mac && { mac: interfaces[podIndex]!.mac }),
    addresses: ips.map((ip) => ip.address),
    gateways: ips.map((ip) => ip.gateway).filter((g): g is string => typeof g === 'string' && g !== ''),
    routes: r.routes ?? [],
    ...(r.dns && { dns: r.dns }),
    hostInterfaces: interfaces.filter((i) => !i.sandbox).map((i) => i.name),
  };
}

/** The plain address of `address/prefix`. */
export const bareIp = (cidr: string): string => cidr.split('/')[0]!;

export function describeDns(dns: DnsConf | undefined): string {
  if (!dns || Object.keys(dns).length === 0) return 'the result carries no DNS settings';
  const parts = [
    dns.nameservers?.length ? `nameservers ${dns.nameservers.join(', ')}` : '',
    dns.domain ? `domain ${dns.domain}` : '',
    dns.search?.length ? `search ${dns.search.join(', ')}` : '',
    dns.options?.length ? `options ${dns.options.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'the result carries an empty DNS section';
}
