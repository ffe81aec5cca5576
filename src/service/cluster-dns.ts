import { dashedIP, type ZoneData } from '../dns/zone.js';
export { clusterDnsAddress } from './allocate.js';
import { CLUSTER_DOMAIN } from './dns.js';
import type { ProxyPod } from './proxy.js';
import { isHeadless, type ServiceEndpoints, type ServiceRecord } from './types.js';

/**
 * The cluster DNS as a Service: `kube-system/kube-dns` at the 10th address of the service
 * range (reserved, as kubeadm does), DNATed to the DNS server on the default bridge's gateway
 * address, port 53. podctl does not store it: it exists while some pod uses the server.
 */
export const DNS_PORT = 53;
export const KUBE_DNS = { name: 'kube-dns', namespace: 'kube-system' } as const;

/** Where the ClusterIP leads: the server on a bridge's gateway address, which pods of that bridge and the host reach. */
export interface ClusterDnsTarget {
  ip: string;
  server: string;
  bridge: string;
}

export function kubeDnsRecord(ip: string, since: string): ServiceRecord {
  return {
    version: 1,
    ...KUBE_DNS,
    labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' },
    selector: {},
    type: 'ClusterIP',
    clusterIP: ip,
    ports: [
      { name: 'dns', protocol: 'UDP', port: DNS_PORT, targetPort: DNS_PORT },
      { name: 'dns-tcp', protocol: 'TCP', port: DNS_PORT, targetPort: DNS_PORT },
    ],
    uid: 'podctl-cluster-dns',
    createdAt: since,
  };
}

/** kube-dns with its one endpoint, the server, as `get svc` and `get endpoints` show it. */
export function kubeDnsEndpoints(target: ClusterDnsTarget, since: string): ServiceEndpoints {
  const service = kubeDnsRecord(target.ip, since);
  return {
    service,
    ports: service.ports.map((port) => ({ port, endpoints: [{ ip: target.server, port: DNS_PORT, pod: 'podctl-dns' }] })),
    podIPs: [],
    podHosts: [],
    unresolved: [],
  };
}

/** What the DNS server answers from: every service (kube-dns too) and every pod with an address. */
export function zoneData(services: ServiceEndpoints[], pods: ProxyPod[], serviceCidr: string): ZoneData {
  return {
    domain: CLUSTER_DOMAIN,
    serviceCidr,
    services: services.map(({ service, podIPs, podHosts }) => ({
      name: service.name,
      namespace: service.namespace,
      clusterIP: service.clusterIP,
      ports: service.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), protocol: p.protocol, port: p.port })),
      // Headless: each ready pod, named by its hostname when its subdomain is this service, else by its dashed IP (as CoreDNS).
      endpoints: isHeadless(service) ? podIPs.map((ip) => ({ ip, hostname: podHosts?.find((h) => h.ip === ip)?.hostname ?? dashedIP(ip) })) : [],
    })),
    pods: pods.filter((p) => p.hostsFile !== undefined || p.ready).flatMap((p) => (p.ips[0] ? [{ namespace: p.namespace, ip: p.ips[0] }] : [])),
  };
}
