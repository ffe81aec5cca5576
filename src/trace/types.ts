/**
 * The data of `podctl trace`: what is gathered from the host (a snapshot), what the path
 * through it looks like (hops), and how it ends (a verdict). `trace()` in the library returns
 * a TraceResult; `-o json` prints it.
 */

/** `ip -j -d addr` of one link, the fields podctl reads. */
export interface IpLink {
  ifindex: number;
  ifname: string;
  flags?: string[];
  operstate?: string;
  address?: string;
  master?: string;
  /** The peer's ifindex (veth), in the namespace `link_netnsid` names. */
  link_index?: number;
  link_netnsid?: number;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_slave_data?: { hairpin?: boolean; state?: string } };
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

/** One answer of `ip -j route get`. */
export interface IpRouteGet {
  type?: string;
  dst: string;
  gateway?: string;
  dev: string;
  prefsrc?: string;
}

export interface PodInfo {
  name: string;
  namespace: string;
  /** The namespace name under /var/run/netns. */
  netns: string;
  ips: string[];
  containers: string[];
  networks: Array<{ name: string; ifname: string; ips: string[] }>;
}

/** Where a trace starts and what it asks for. */
export type TraceSource = { kind: 'host' } | { kind: 'pod'; name: string; namespace: string };
export type TraceTarget =
  | { kind: 'pod'; name: string; namespace: string }
  | { kind: 'ip'; ip: string }
  /** `host:PORT`: a port of this host (portmap host ports, NodePorts). */
  | { kind: 'host-port'; port: number }
  /** `svc/NAME`: a Service's ClusterIP. */
  | { kind: 'service'; name: string; namespace: string };

export interface TraceRequest {
  from: TraceSource;
  to: TraceTarget;
  protocol: 'tcp' | 'udp';
  port: number;
}

/** A listening socket in a namespace (`ss -Hlnp`). */
export interface Listener {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  process?: string;
}

/** A Service as the trace needs it: its addresses, ports and endpoints (podctl's service records). */
export interface ServiceInfo {
  name: string;
  namespace: string;
  clusterIP: string;
  type: string;
  ports: Array<{ name?: string; protocol: 'tcp' | 'udp'; port: number; nodePort?: number; endpoints: Array<{ ip: string; port: number; pod?: string }> }>;
}

/** Everything a trace reads, gathered up front so the path itself is a pure function. */
export interface TraceSnapshot {
  request: TraceRequest;
  pods: PodInfo[];
  /** Links and addresses per namespace: `''` is the host. */
  links: Record<string, IpLink[]>;
  /** `ip -j netns list`: the host's ids for named namespaces (veth `link_netnsid`). */
  netnsIds: Array<{ name: string; id?: number }>;
  /** `ip route get` answers per `netns dst` (`''` netns = host); an error text when there is no route. */
  routes: Record<string, IpRouteGet | { error: string }>;
  /** Listening sockets per namespace, gathered for destinations. */
  listeners: Record<string, Listener[]>;
  /** net.bridge.bridge-nf-call-iptables (undefined: br_netfilter not loaded). */
  brNetfilter?: boolean;
  ipForward: boolean;
  /** Further host sysctls the path asked for, by /proc/sys path. */
  sysctls?: Record<string, string>;
  ruleset: { json: unknown; text: string };
  /** podctl's Services, when the build has them. */
  services?: ServiceInfo[];
}

/** What the path still needs from the host: the gatherer fetches it and the trace runs again. */
export type Need =
  | { kind: 'route'; netns: string; dst: string }
  | { kind: 'links'; netns: string }
  | { kind: 'listeners'; netns: string }
  /** A host sysctl, as its path under /proc/sys (`net/ipv4/conf/podctl0/route_localnet`). */
  | { kind: 'sysctl'; netns: ''; key: string };

export type HopKind = 'route' | 'interface' | 'veth' | 'bridge' | 'netfilter' | 'service' | 'pod' | 'host';

export interface Hop {
  kind: HopKind;
  /** One line: what this hop is, naming real objects. */
  title: string;
  /** Further lines: rules hit, settings that matter. */
  details: string[];
  /** The hop stops the packet. */
  blocks?: boolean;
  /** Machine-readable facts (names, ifindexes, addresses). */
  facts: Record<string, string | number | boolean>;
}

export type Outcome = 'arrives' | 'dropped' | 'rejected' | 'leaves-host';

export interface TraceVerdict {
  outcome: Outcome;
  /** The hop that decides (its title). */
  at: string;
  reason: string;
  fix?: string;
  pod?: string;
  ip?: string;
  port?: number;
  listening?: boolean;
}

export interface TraceResult {
  request: TraceRequest;
  /** The packet as it leaves the source. */
  packet: { saddr: string; daddr: string; protocol: 'tcp' | 'udp'; dport: number };
  hops: Hop[];
  verdict: TraceVerdict;
  /** When a service picks one endpoint at random: the path's end for each of the others. */
  alternatives?: Array<{ endpoint: string; verdict: TraceVerdict }>;
}
