import { isHeadless, type Endpoint, type ServiceEndpoints, type ServicePort, type ServiceRecord } from './types.js';

/**
 * podctl's Service data path as one nftables table, after kube-proxy's nftables mode: a
 * verdict map from ClusterIP . protocol . port to a chain per service port, which picks an
 * endpoint chain with `numgen random`; each endpoint chain marks hairpin traffic for
 * masquerade and DNATs. NodePorts go through a second map, on local addresses only. Only the
 * host itself and pods get either, unless the user opens NodePorts to anyone.
 * Services without endpoints are rejected before NAT, so a client fails at once.
 *
 * Pure: the same model gives the same text, byte for byte. The text deletes and recreates the
 * table in one transaction (`nft -f` applies a file atomically), so the kernel holds the old
 * rules or the new ones, never a mix.
 */
export const TABLE = 'podctl';
export const FAMILY = 'ip';
/** The masquerade mark, the bit kube-proxy uses. */
const MASQ_MARK = '0x00004000';

export interface RulesOptions {
  serviceCidr: string;
  /**
   * Who may use ClusterIPs and NodePorts besides the host itself: podctl's pod subnets. A
   * packet from anywhere else is never DNATed (a ClusterIP then meets `cluster-ips-check`,
   * and a NodePort the host's own sockets), whatever the host's FORWARD policy.
   */
  podSubnets: string[];
  /** Local addresses NodePorts answer on for the host and pods: 127.0.0.1 and the bridge's. */
  nodePortAddresses: string[];
  /**
   * Where NodePorts answer to anyone (the user's choice, like kube-proxy's
   * --nodeport-addresses): every local address ('all'), the local addresses in these
   * prefixes, or nowhere ([]).
   */
  externalNodePorts: 'all' | string[];
  /**
   * route_localnet is on (127.0.0.1 NodePorts, or host ports of the portmap plugin): drop new connections to 127/8 that arrive on
   * any interface but lo and were not DNATed there, so pods cannot reach the host's
   * loopback-only services that way while another tool's DNAT to 127.0.0.1 still works.
   */
  guardLocalnet: boolean;
  /** The cluster DNS: its ClusterIP DNATed to the server, which answers only the host and that bridge's pods. */
  clusterDns?: { ip: string; server: string; bridge: string; port: number };
}

/** The guard's rule, in `filter-input`. */
export const LOCALNET_GUARD = 'iifname != "lo" ip daddr 127.0.0.0/8 ct state new ct status ! dnat drop';

const proto = (p: ServicePort) => p.protocol.toLowerCase();
const portKey = (s: ServiceRecord, p: ServicePort) => `${s.namespace}/${s.name}/${proto(p)}/${p.name || String(p.port)}`;
export const serviceChain = (s: ServiceRecord, p: ServicePort) => `svc-${portKey(s, p)}`;
const externalChain = (s: ServiceRecord, p: ServicePort) => `ext-${portKey(s, p)}`;
const endpointChain = (s: ServiceRecord, p: ServicePort, e: Endpoint) => `ep-${portKey(s, p)}/${e.ip}/${e.port}`;

/** The script that removes the table (and succeeds when there is none). */
export const DELETE_SCRIPT = `add table ${FAMILY} ${TABLE}\ndelete table ${FAMILY} ${TABLE}\n`;

/** The services that get rules (a ClusterIP and ports), in the rules' order. */
export function proxiedServices(services: ServiceEndpoints[]): ServiceEndpoints[] {
  return services.filter((s) => !isHeadless(s.service) && s.ports.length > 0).sort((a, b) => byKey(a.service, b.service));
}

/** The nft script for the desired state: the table recreated, or only deleted when nothing is left (no service, DNS server or guard). */
export function renderRules(services: ServiceEndpoints[], options: RulesOptions): string {
  const head = DELETE_SCRIPT;
  const proxied = proxiedServices(services);
  if (proxied.length === 0 && !options.clusterDns && !options.guardLocalnet) return head;
  return head + renderTable(proxied, options);
}

const byKey = (a: ServiceRecord, b: ServiceRecord) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);

function renderTable(services: ServiceEndpoints[], options: RulesOptions): string {
  const serviceIPs: string[] = [];
  const nodePorts: string[] = [];
  const noEndpointServices: string[] = [];
  const noEndpointNodePorts: string[] = [];
  const chains: string[] = [];
  for (const { service, ports } of services) {
    for (const { port, endpoints } of ports) {
      const key = `${service.clusterIP} . ${proto(port)} . ${port.port}`;
      const nodeKey = port.nodePort === undefined ? undefined : `${proto(port)} . ${port.nodePort}`;
      if (endpoints.length === 0) {
        noEndpointServices.push(`${key} : goto reject-chain`);
        if (nodeKey) noEndpointNodePorts.push(`${nodeKey} : goto reject-chain`);
        continue;
      }
      serviceIPs.push(`${key} : goto ${serviceChain(service, port)}`);
      if (nodeKey) {
        nodePorts.push(`${nodeKey} : goto ${externalChain(service, port)}`);
        chains.push(chain(externalChain(service, port), ['jump mark-for-masquerade', `goto ${serviceChain(service, port)}`]));
      }
      const sorted = [...endpoints].sort((a, b) => `${a.ip}:${a.port}`.localeCompare(`${b.ip}:${b.port}`, 'en', { numeric: true }));
      const picks = sorted.map((e, i) => `${i} : goto ${endpointChain(service, port, e)}`);
      // From the host itself the source is whatever address routes to the service range (the
      // default route's): masquerade it to the bridge's, which every pod can answer.
      chains.push(chain(serviceChain(service, port), ['fib saddr type local jump mark-for-masquerade', `numgen random mod ${sorted.length} vmap { ${picks.join(', ')} }`]));
      for (const e of sorted) {
        chains.push(chain(endpointChain(service, port, e), [`ip saddr ${e.ip} jump mark-for-masquerade`, `meta l4proto ${proto(port)} dnat to ${e.ip}:${e.port}`]));
      }
    }
  }
  const dns = options.clusterDns;
  const clusterIPs = [...new Set([...services.map((s) => s.service.clusterIP), ...(dns ? [dns.ip] : [])])].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const nodePortMatch = 'fib daddr type local ip daddr @nodeport-ips';
  const external = options.externalNodePorts;
  const externalMatch = external === 'all' ? 'fib daddr type local' : external.length > 0 ? 'fib daddr type local ip daddr @nodeport-external' : undefined;
  const fromPods = options.podSubnets.length > 0 ? ['ip saddr @pod-subnets jump services'] : [];
  const fromAnyone = externalMatch ? ['jump external-nodeports'] : [];
  const body = [
    `comment "podctl Services: rewritten whole by podctl on every change; do not edit"`,
    set('cluster-ips', 'ipv4_addr', clusterIPs),
    set('nodeport-ips', 'ipv4_addr', options.nodePortAddresses),
    ...(options.podSubnets.length > 0 ? [set('pod-subnets', 'ipv4_addr', options.podSubnets, true)] : []),
    ...(Array.isArray(external) && external.length > 0 ? [set('nodeport-external', 'ipv4_addr', external, true)] : []),
    map('service-ips', 'ipv4_addr . inet_proto . inet_service', serviceIPs),
    map('service-nodeports', 'inet_proto . inet_service', nodePorts),
    map('no-endpoint-services', 'ipv4_addr . inet_proto . inet_service', noEndpointServices),
    map('no-endpoint-nodeports', 'inet_proto . inet_service', noEndpointNodePorts),
    // Arriving packets: only pods' get Services; the host's own pass nat-output instead.
    chain('nat-prerouting', [...fromPods, ...fromAnyone], 'type nat hook prerouting priority dstnat; policy accept;'),
    chain('nat-output', ['jump services', ...fromAnyone], 'type nat hook output priority -100; policy accept;'),
    chain('nat-postrouting', ['jump masquerading'], 'type nat hook postrouting priority srcnat; policy accept;'),
    // Before DNAT (-100): a service without endpoints is refused while its address is still the ClusterIP.
    chain('filter-input', [...(options.guardLocalnet ? [LOCALNET_GUARD] : []), ...dnsGuard(dns), 'ct state new jump endpoints-check'], 'type filter hook input priority -110; policy accept;'),
    chain('filter-forward', ['ct state new jump endpoints-check'], 'type filter hook forward priority -110; policy accept;'),
    chain('filter-output', ['ct state new jump endpoints-check'], 'type filter hook output priority -110; policy accept;'),
    // After DNAT: what still goes to the service range matched no service port; it never leaves the host.
    chain('filter-forward-post-dnat', ['ct state new jump cluster-ips-check'], 'type filter hook forward priority -90; policy accept;'),
    chain('filter-output-post-dnat', ['ct state new jump cluster-ips-check'], 'type filter hook output priority -90; policy accept;'),
    chain('services', [...dnsRedirect(dns), 'ip daddr . meta l4proto . th dport vmap @service-ips', `${nodePortMatch} meta l4proto . th dport vmap @service-nodeports`]),
    ...(externalMatch ? [chain('external-nodeports', [`${externalMatch} meta l4proto . th dport vmap @service-nodeports`])] : []),
    chain('endpoints-check', [
      'ip daddr . meta l4proto . th dport vmap @no-endpoint-services',
      `${nodePortMatch} meta l4proto . th dport vmap @no-endpoint-nodeports`,
      ...(externalMatch ? [`${externalMatch} meta l4proto . th dport vmap @no-endpoint-nodeports`] : []),
    ]),
    chain('cluster-ips-check', ['ip daddr @cluster-ips reject', `ip daddr ${options.serviceCidr} drop`]),
    chain('reject-chain', ['meta l4proto tcp reject with tcp reset', 'reject']),
    chain('mark-for-masquerade', [`meta mark set meta mark | ${MASQ_MARK}`]),
    chain('masquerading', [`meta mark & ${MASQ_MARK} == 0 return`, `meta mark set meta mark ^ ${MASQ_MARK}`, 'masquerade fully-random']),
    ...chains,
  ];
  return `table ${FAMILY} ${TABLE} {\n${body.map((b) => indent(b)).join('\n')}\n}\n`;
}

/** The DNS ClusterIP to the server (no masquerade: it replies to the pod or the host directly). */
const dnsRedirect = (dns: RulesOptions['clusterDns']): string[] =>
  dns ? ['udp', 'tcp'].map((p) => `ip daddr ${dns.ip} ${p} dport ${dns.port} dnat to ${dns.server}:${dns.port}`) : [];

/** The server's address answers DNS only to the host (lo) and the pods of its bridge, never another interface. */
const dnsGuard = (dns: RulesOptions['clusterDns']): string[] =>
  dns ? [`ip daddr ${dns.server} meta l4proto { tcp, udp } th dport ${dns.port} iifname != { "lo", "${dns.bridge}" } drop`] : [];

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `\t${l}`)
    .join('\n');

function chain(name: string, rules: string[], hook?: string): string {
  return [`chain ${name} {`, ...(hook ? [`\t${hook}`] : []), ...rules.map((r) => `\t${r}`), '}'].join('\n');
}

function set(name: string, type: string, elements: string[], prefixes = false): string {
  return [`set ${name} {`, `\ttype ${type}`, ...(prefixes ? ['\tflags interval'] : []), ...(elements.length ? [`\telements = { ${elements.join(', ')} }`] : []), '}'].join('\n');
}

function map(name: string, type: string, elements: string[]): string {
  const lines = elements.length ? ['\telements = {', ...elements.map((e, i) => `\t\t${e}${i < elements.length - 1 ? ',' : ''}`), '\t}'] : [];
  return [`map ${name} {`, `\ttype ${type} : verdict`, ...lines, '}'].join('\n');
}
