import { cidrContains } from '../../util/cidr.js';
import { parseRuleset, type Expr } from '../netfilter/ruleset.js';
import { cidrsOf } from '../snapshot-reader.js';
import type { IpLink, PodInfo, ServiceInfo } from '../types.js';

/**
 * The host's pod network as a graph: bridges, the veth pairs that plug pods into them, pods
 * with their IPs and containers, and host ports (DNAT rules of the ruleset that lead to a
 * pod). Built from one `ip -j -d addr`, `ip -j netns list`, the pod list and the ruleset: no
 * command per pod.
 */
export interface GraphInput {
  hostLinks: IpLink[];
  netnsIds: Array<{ name: string; id?: number }>;
  pods: PodInfo[];
  ruleset: { json: unknown; text: string };
  services?: ServiceInfo[];
}

export interface GraphService {
  id: string;
  clusterIP: string;
  ports: Array<{ protocol: string; port: number; nodePort?: number; endpoints: Array<{ ip: string; port: number; pod?: string }> }>;
}

export interface GraphBridge {
  name: string;
  ifindex: number;
  cidrs: string[];
  up: boolean;
}

export interface GraphPod {
  id: string;
  ips: string[];
  containers: string[];
  netns: string;
}

export interface GraphVeth {
  pod: string;
  /** The pod-side interface name (from podctl's record of the attachment). */
  podIfname: string;
  podIp?: string;
  hostIfname: string;
  hostIfindex: number;
  bridge?: string;
  hairpin: boolean;
}

export interface GraphHostPort {
  protocol: string;
  port: number;
  /** `ip daddr` the rule is limited to, if any. */
  hostIp?: string;
  toIp: string;
  toPort?: number;
  pod?: string;
}

export interface NetGraph {
  bridges: GraphBridge[];
  pods: GraphPod[];
  veths: GraphVeth[];
  hostPorts: GraphHostPort[];
  services: GraphService[];
}

const podId = (p: PodInfo): string => `${p.namespace}/${p.name}`;

export function buildGraph(input: GraphInput): NetGraph {
  const nsIdOf = new Map(input.netnsIds.filter((n) => n.id !== undefined).map((n) => [n.id!, n.name]));
  const podByNetns = new Map(input.pods.map((p) => [p.netns, p]));
  const byName = new Map(input.hostLinks.map((l) => [l.ifname, l]));
  const veths: GraphVeth[] = [];
  for (const link of input.hostLinks) {
    if (link.linkinfo?.info_kind !== 'veth' || link.link_netnsid === undefined) continue;
    const pod = podByNetns.get(nsIdOf.get(link.link_netnsid) ?? '');
    if (!pod) continue;
    const bridge = link.master ? byName.get(link.master) : undefined;
    // Which of the pod's networks this veth is: the one whose address lies in the bridge's subnet.
    const net = pod.networks.find((n) => n.ips.some((ip) => bridge && cidrsOf(bridge).some((c) => cidrContains(c, ip)))) ?? (pod.networks.length === 1 ? pod.networks[0] : undefined);
    veths.push({
      pod: podId(pod),
      podIfname: net?.ifname ?? `if${link.link_index ?? '?'}`,
      ...(net?.ips[0] ? { podIp: net.ips[0] } : {}),
      hostIfname: link.ifname,
      hostIfindex: link.ifindex,
      ...(link.master ? { bridge: link.master } : {}),
      hairpin: Boolean(link.linkinfo?.info_slave_data?.hairpin),
    });
  }
  const bridgeNames = new Set(veths.map((v) => v.bridge).filter((b): b is string => Boolean(b)));
  const bridges = [...bridgeNames].sort().map((name) => {
    const l = byName.get(name)!;
    return { name, ifindex: l.ifindex, cidrs: cidrsOf(l), up: Boolean(l.flags?.includes('UP')) };
  });
  const pods = input.pods.map((p) => ({ id: podId(p), ips: p.ips, containers: p.containers, netns: p.netns })).sort((a, b) => a.id.localeCompare(b.id));
  const podAt = (ip: string) => input.pods.find((p) => p.ips.includes(ip));
  const services = (input.services ?? [])
    .filter((svc) => svc.clusterIP !== 'None')
    .map((svc) => ({
      id: `${svc.namespace}/${svc.name}`,
      clusterIP: svc.clusterIP,
      ports: svc.ports.map((p) => ({
        protocol: p.protocol,
        port: p.port,
        ...(p.nodePort ? { nodePort: p.nodePort } : {}),
        endpoints: p.endpoints.map((e) => {
          const pod = podAt(e.ip);
          return { ip: e.ip, port: e.port, ...(pod ? { pod: podId(pod) } : {}) };
        }),
      })),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { bridges, pods, veths: veths.sort((a, b) => a.pod.localeCompare(b.pod) || a.podIfname.localeCompare(b.podIfname)), hostPorts: hostPorts(input), services };
}

/** DNAT rules keyed on a destination port that lead to a pod: portmap's host ports. */
function hostPorts(input: GraphInput): GraphHostPort[] {
  const ruleset = parseRuleset(input.ruleset.json, input.ruleset.text);
  const out: GraphHostPort[] = [];
  for (const chain of ruleset.chains.values()) {
    for (const rule of chain.rules) {
      const dnat = rule.expr.find((e) => e.dnat)?.dnat as { addr?: string; port?: number } | undefined;
      if (!dnat?.addr) continue;
      const match = (field: string): Expr | undefined =>
        rule.expr.find((e) => {
          const m = e.match as { op: string; left: Expr } | undefined;
          const p = m?.left.payload as { field?: string } | undefined;
          return m?.op === '==' && p?.field === field;
        });
      const dport = match('dport')?.match as { left: { payload: { protocol: string } }; right: unknown } | undefined;
      if (!dport || typeof dport.right !== 'number') continue;
      const daddr = (match('daddr')?.match as { right: unknown } | undefined)?.right;
      const pod = input.pods.find((p) => p.ips.includes(dnat.addr!));
      out.push({
        protocol: dport.left.payload.protocol === 'udp' ? 'udp' : 'tcp',
        port: dport.right,
        ...(typeof daddr === 'string' ? { hostIp: daddr } : {}),
        toIp: dnat.addr,
        ...(dnat.port ? { toPort: dnat.port } : {}),
        ...(pod ? { pod: podId(pod) } : {}),
      });
    }
  }
  return out.filter((h) => h.pod).sort((a, b) => a.port - b.port);
}
