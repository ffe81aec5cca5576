import { cidrContains } from '../util/cidr.js';
import type { EvalContext, Packet } from './netfilter/evaluate.js';
import { parseRuleset, type Ruleset } from './netfilter/ruleset.js';
import { blockedBecause, netfilterHop } from './netfilter-hop.js';
import { cidrsOf, ipv4Of, MissingData, SnapshotReader } from './snapshot-reader.js';
import { endpointOfChain, serviceBlock, serviceHop, SERVICE_TABLE } from './service-hop.js';
import type { Choice } from './netfilter/evaluate.js';
import type { Hop, IpLink, IpRouteGet, Listener, Need, PodInfo, TraceResult, TraceSnapshot, TraceVerdict } from './types.js';

/**
 * The path of one request through this host, from a gathered snapshot: a pure function, so
 * every branch is unit-tested on captured fixtures. It follows what the kernel does for the
 * first packet of a connection: the route in the source namespace, the veth pair, the bridge
 * (L2 to a pod, or L3 to the host), each netfilter hook with the real ruleset (NAT changes
 * the destination and the route is looked up again), the destination's veth and pod, and
 * whether anything listens there. When the snapshot lacks an answer it returns what to gather.
 */
export function tracePath(snap: TraceSnapshot): { result: TraceResult } | { needs: Need[] } {
  try {
    const walk = new Walk(snap);
    const result = walk.run();
    // A service picks one endpoint at random: follow the path to each of the others too.
    const choice = walk.serviceChoice;
    if (choice && choice.candidates.length > 1) {
      // Every endpoint's walk runs before asking for more, so one gathering round serves them all.
      const needs: Need[] = [];
      const alternatives: NonNullable<TraceResult['alternatives']> = [];
      choice.candidates.forEach((c, i) => {
        if (i === choice.chosen) return;
        try {
          alternatives.push({ endpoint: endpointOfChain(c), verdict: new Walk(snap, i).run().verdict });
        } catch (err) {
          if (!(err instanceof MissingData)) throw err;
          needs.push(...err.needs);
        }
      });
      if (needs.length) return { needs };
      result.alternatives = alternatives;
    }
    return { result };
  } catch (err) {
    if (err instanceof MissingData) return { needs: err.needs };
    throw err;
  }
}

const podName = (p: { name: string; namespace: string }): string => `${p.namespace}/${p.name}`;
const WILDCARDS = new Set(['0.0.0.0', '*', '::', '[::]']);

class Ended extends Error {
  constructor(readonly verdict: TraceVerdict) {
    super(verdict.reason);
  }
}

class Walk {
  private readonly r: SnapshotReader;
  private readonly ruleset: Ruleset;
  private readonly ctx: EvalContext;
  private readonly hops: Hop[] = [];
  private network: string | undefined;
  /** The host veth the packet left its pod by (a hairpin sends it back out of the same port). */
  private ingress: IpLink | undefined;
  serviceChoice: Choice | undefined;

  constructor(
    private readonly snap: TraceSnapshot,
    endpoint = 0,
  ) {
    this.r = new SnapshotReader(snap);
    this.ruleset = parseRuleset(snap.ruleset.json, snap.ruleset.text);
    this.ctx = { localAddresses: new Set<string>(), choose: () => endpoint };
  }

  run(): TraceResult {
    const req = this.snap.request;
    this.ctx.localAddresses = this.r.hostAddresses();
    const source = req.from.kind === 'pod' ? this.requirePod(req.from.name, req.from.namespace) : undefined;
    const daddr = this.destinationAddress(source);
    const packet: Packet = { saddr: source?.ips[0] ?? '', daddr, protocol: req.protocol, sport: 40000, dport: req.port, mark: 0 };
    let verdict: TraceVerdict;
    try {
      const route = this.routeHop(source?.netns ?? '', daddr, source ? `in pod ${podName(source)}` : 'on the host');
      packet.saddr = route.prefsrc ?? packet.saddr;
      if (route.type === 'local' && source) verdict = this.arriveInPod(source, packet, 'lo');
      else if (source) verdict = this.fromPod(source, route, packet);
      else verdict = this.fromHost(route, packet);
    } catch (err) {
      if (!(err instanceof Ended)) throw err;
      verdict = err.verdict;
    }
    return { request: req, packet: { saddr: packet.saddr, daddr, protocol: req.protocol, dport: req.port }, hops: this.hops, verdict };
  }

  private requirePod(name: string, namespace: string): PodInfo {
    const pod = this.r.pod(name, namespace);
    if (!pod) throw new Error(`pod ${namespace}/${name} is not in the snapshot`);
    return pod;
  }

  /** The address the request is sent to, before any NAT. */
  private destinationAddress(source: PodInfo | undefined): string {
    const to = this.snap.request.to;
    if (to.kind === 'ip') return to.ip;
    if (to.kind === 'service') {
      const service = this.snap.services?.find((s) => s.name === to.name && s.namespace === to.namespace);
      if (!service) throw new Error(`service ${to.namespace}/${to.name} is not in the snapshot`);
      return service.clusterIP;
    }
    if (to.kind === 'pod') {
      const pod = this.requirePod(to.name, to.namespace);
      const ip = pod.ips[0];
      if (!ip) throw new Error(`pod ${podName(pod)} has no IP`);
      return ip;
    }
    // host:PORT from a pod goes to the host's address on the pod's bridge; from the host, to 127.0.0.1.
    if (!source) return '127.0.0.1';
    const ip = source.ips[0] ?? '';
    const peer = this.r.hostVethOf(source, ip)?.onHost;
    const bridge = peer?.master ? this.r.hostLinkNamed(peer.master) : undefined;
    const addr = bridge ? ipv4Of(bridge)[0] : undefined;
    if (!addr) throw new Error(`pod ${podName(source)} has no bridge address to reach the host on`);
    return addr;
  }

  private routeHop(netns: string, dst: string, where: string): IpRouteGet {
    const route = this.r.route(netns, dst);
    if ('error' in route) {
      this.hops.push({ kind: 'route', title: `${where}: no route to ${dst} (${route.error})`, details: [], blocks: true, facts: { netns: netns || 'host', dst } });
      throw new Ended({
        outcome: 'dropped',
        at: 'route',
        reason: `no route to ${dst} ${where}: ${route.error}`,
        fix: netns ? `give the network a route that covers ${dst} (ipam "routes", e.g. { "dst": "0.0.0.0/0" })` : `add a host route to ${dst}`,
      });
    }
    const how = route.type === 'local' ? ' (local address)' : route.gateway ? '' : ' (on-link)';
    this.hops.push({
      kind: 'route',
      title: `${where}: ${route.dst}${route.gateway ? ` via ${route.gateway}` : ''} dev ${route.dev}${route.prefsrc ? ` src ${route.prefsrc}` : ''}${how}`,
      details: [],
      facts: { netns: netns || 'host', dst: route.dst, dev: route.dev, ...(route.gateway ? { gateway: route.gateway } : {}), ...(route.prefsrc ? { src: route.prefsrc } : {}) },
    });
    return route;
  }

  private end(verdict: TraceVerdict): never {
    throw new Ended(verdict);
  }

  private hook(hook: string, packet: Packet): Packet {
    const { hop, result } = netfilterHop(this.ruleset, hook, packet, this.ctx);
    this.hops.push(hop);
    const service = serviceHop(result, packet, this.snap.services, this.snap.pods);
    if (service) this.hops.push(service);
    this.serviceChoice ??= result.choices.find((c) => c.rule.table === SERVICE_TABLE);
    if (result.verdict !== 'accept') {
      const { reason, fix } = serviceBlock(result, packet, this.snap.services) ?? blockedBecause(this.ruleset, result, packet, this.network);
      this.end({ outcome: result.verdict === 'reject' ? 'rejected' : 'dropped', at: `netfilter ${hook}`, reason, fix });
    }
    return result.packet;
  }

  private fromPod(source: PodInfo, route: IpRouteGet, packet: Packet): TraceVerdict {
    const inPod = this.r.links(source.netns).find((l) => l.ifname === route.dev);
    this.network = source.networks.find((n) => n.ifname === route.dev)?.name;
    const peer = inPod?.link_index !== undefined ? this.r.hostLink(inPod.link_index) : undefined;
    if (!inPod || !peer) {
      this.hops.push({ kind: 'interface', title: `${route.dev} of pod ${podName(source)}: no veth peer on the host`, details: [], blocks: true, facts: { ifname: route.dev } });
      return this.end({ outcome: 'dropped', at: 'interface', reason: `${route.dev} of pod ${podName(source)} has no peer in the host namespace`, fix: `restart the pod (podctl restart ${podName(source)}) to rewire it` });
    }
    this.hops.push(vethHop(`${route.dev} of pod ${podName(source)}`, inPod, peer, 'out'));
    this.ingress = peer;
    if (!peer.flags?.includes('UP')) {
      return this.end({ outcome: 'dropped', at: 'interface', reason: `host veth ${peer.ifname} is down`, fix: `ip link set ${peer.ifname} up` });
    }
    const nextHop = route.gateway ?? packet.daddr;
    const bridge = peer.master ? this.r.hostLinkNamed(peer.master) : undefined;
    if (!bridge) return this.routedByHost(peer.ifname, packet);
    const hostHasIt = ipv4Of(bridge).includes(nextHop);
    const neighbour = hostHasIt ? undefined : this.podOnBridge(nextHop, bridge.ifname);
    if (!hostHasIt && !neighbour) {
      this.hops.push(bridgeHop(bridge, peer, undefined, this.snap.brNetfilter, `nothing on ${bridge.ifname} has ${nextHop}`));
      const cause = route.gateway ? `the pod's route sends ${packet.daddr} via ${route.gateway}, which no interface on bridge ${bridge.ifname} has` : `no pod on bridge ${bridge.ifname} has ${nextHop}`;
      this.hops[this.hops.length - 1]!.blocks = true;
      return this.end({
        outcome: 'dropped',
        at: `bridge ${bridge.ifname}`,
        reason: `${cause} (ARP for ${nextHop} gets no answer; the bridge has ${cidrsOf(bridge).join(', ') || 'no address'})`,
        fix: route.gateway
          ? `make the network's route use the bridge's address as gateway (${ipv4Of(bridge)[0] ?? 'set isGateway: true'}): ipam "routes" gw, or the range's "gateway"`
          : `check the address: podctl ps -A -o wide lists pod IPs`,
      });
    }
    if (neighbour) return this.bridged(bridge, peer, neighbour, packet);
    this.hops.push(bridgeHop(bridge, peer, undefined, this.snap.brNetfilter, `to the host (${nextHop} is ${bridge.ifname}'s address): routed`));
    return this.routedByHost(bridge.ifname, packet);
  }

  /** A pod (and its host veth) on `bridge` that has `ip`. */
  private podOnBridge(ip: string, bridge: string): { pod: PodInfo; inPod: IpLink; onHost: IpLink } | undefined {
    const pod = this.r.podByIp(ip);
    if (!pod) return undefined;
    const veth = this.r.hostVethOf(pod, ip);
    if (!veth?.onHost || veth.onHost.master !== bridge) return undefined;
    return { pod, inPod: veth.inPod, onHost: veth.onHost };
  }

  /** L2 across the bridge to a pod: with br_netfilter on, the ip hooks see bridge → bridge. */
  private bridged(bridge: IpLink, from: IpLink, to: { pod: PodInfo; inPod: IpLink; onHost: IpLink }, packet: Packet): TraceVerdict {
    this.hops.push(bridgeHop(bridge, from, to.onHost, this.snap.brNetfilter, 'bridged (L2)'));
    let p: Packet = packet;
    if (this.snap.brNetfilter) {
      p = this.hook('prerouting', { ...p, iif: bridge.ifname });
      if (p.daddr !== packet.daddr) return this.afterDnat(bridge.ifname, p);
      p = this.hook('forward', { ...p, iif: bridge.ifname, oif: bridge.ifname });
      p = this.hook('postrouting', { ...p, iif: bridge.ifname, oif: bridge.ifname });
    }
    return this.deliverToPod(to, p);
  }

  /** The packet is the host's to route (it arrived on `iif`). */
  private routedByHost(iif: string, packet: Packet): TraceVerdict {
    const p = this.hook('prerouting', { ...packet, iif });
    return this.afterDnat(iif, p, p.daddr !== packet.daddr);
  }

  private afterDnat(iif: string, p: Packet, rerouted = true): TraceVerdict {
    const route = this.routeHop('', p.daddr, rerouted ? 'on the host, after DNAT' : 'on the host');
    if (route.type === 'local') {
      const q = this.hook('input', { ...p, iif });
      return this.arriveAtHost(q);
    }
    if (!this.snap.ipForward) {
      this.hops.push({ kind: 'host', title: `net.ipv4.ip_forward = 0: the host does not route from ${iif} to ${route.dev}`, details: [], blocks: true, facts: { ipForward: false } });
      return this.end({ outcome: 'dropped', at: 'route', reason: 'the host does not forward packets (net.ipv4.ip_forward = 0)', fix: 'sysctl -w net.ipv4.ip_forward=1' });
    }
    let q = this.hook('forward', { ...p, iif, oif: route.dev });
    q = this.hook('postrouting', { ...q, iif, oif: route.dev });
    return this.egress(route, q);
  }

  private fromHost(route: IpRouteGet, packet: Packet): TraceVerdict {
    let p = this.hook('output', { ...packet, oif: route.dev });
    let out = route;
    if (p.daddr !== packet.daddr) out = this.routeHop('', p.daddr, 'on the host, after DNAT');
    if (out.type === 'local') {
      p = this.hook('input', { ...p, iif: 'lo', oif: undefined });
      return this.arriveAtHost(p);
    }
    // A loopback source may only leave by another interface where route_localnet allows it.
    if (cidrContains('127.0.0.0/8', p.saddr) && out.dev !== 'lo' && this.r.sysctl(`net/ipv4/conf/${out.dev}/route_localnet`) !== '1') {
      this.hops.push({ kind: 'host', title: `source ${p.saddr} may not leave by ${out.dev}: route_localnet is 0 there`, details: [], blocks: true, facts: { dev: out.dev, routeLocalnet: false } });
      return this.end({
        outcome: 'dropped',
        at: `interface ${out.dev}`,
        reason: `a packet from ${p.saddr} (loopback) is routed out of ${out.dev}, and net.ipv4.conf.${out.dev}.route_localnet is 0: the kernel drops it as a martian`,
        fix: `use the host's address instead of 127.0.0.1, or sysctl -w net.ipv4.conf.${out.dev}.route_localnet=1`,
      });
    }
    p = this.hook('postrouting', { ...p, oif: out.dev });
    return this.egress(out, p);
  }

  /** Out of a host interface: onto a bridge to a pod, or off the host. */
  private egress(route: IpRouteGet, p: Packet): TraceVerdict {
    const dev = this.r.hostLinkNamed(route.dev);
    const masq = this.hops.some((h) => String(h.facts.nat ?? '').includes('masquerade'));
    if (dev?.linkinfo?.info_kind === 'bridge') {
      const nextHop = route.gateway ?? p.daddr;
      const target = this.podOnBridge(nextHop, dev.ifname);
      if (!target) {
        this.hops.push(bridgeHop(dev, undefined, undefined, this.snap.brNetfilter, `nothing on ${dev.ifname} has ${nextHop}`));
        this.hops[this.hops.length - 1]!.blocks = true;
        return this.end({ outcome: 'dropped', at: `bridge ${dev.ifname}`, reason: `no pod on bridge ${dev.ifname} has ${nextHop} (ARP gets no answer)`, fix: 'check the address: podctl ps -A -o wide lists pod IPs' });
      }
      const back = this.ingress?.ifindex === target.onHost.ifindex ? this.ingress : undefined;
      this.hops.push(bridgeHop(dev, back, target.onHost, this.snap.brNetfilter, back ? 'back out of the port it came in on (hairpin)' : 'from the host'));
      if (back && !target.onHost.linkinfo?.info_slave_data?.hairpin) {
        this.hops[this.hops.length - 1]!.blocks = true;
        return this.end({
          outcome: 'dropped',
          at: `bridge ${dev.ifname}`,
          reason: `the packet must leave ${dev.ifname} by the port it came in on (${back.ifname}), and hairpin mode is off there`,
          fix: `set "hairpinMode": true in the bridge plugin of network ${this.network ?? 'of the pod'} (or: ip link set ${back.ifname} type bridge_slave hairpin on)`,
        });
      }
      return this.deliverToPod(target, p);
    }
    this.hops.push({ kind: 'host', title: `leaves the host on ${route.dev}${route.gateway ? ` via ${route.gateway}` : ''}${masq ? ' (masqueraded)' : ''}`, details: [], facts: { dev: route.dev } });
    return { outcome: 'leaves-host', at: `interface ${route.dev}`, reason: `${p.daddr} is not on this host: the packet leaves on ${route.dev}`, ip: p.daddr, port: p.dport };
  }

  private deliverToPod(to: { pod: PodInfo; inPod: IpLink; onHost: IpLink }, p: Packet): TraceVerdict {
    this.hops.push(vethHop(`${to.inPod.ifname} of pod ${podName(to.pod)}`, to.inPod, to.onHost, 'in'));
    return this.arriveInPod(to.pod, p, to.inPod.ifname);
  }

  private arriveInPod(pod: PodInfo, p: Packet, via: string): TraceVerdict {
    const listener = this.listening(pod.netns, p);
    this.hops.push({
      kind: 'pod',
      title: `pod ${podName(pod)} ${p.daddr} (${via}), containers ${pod.containers.join(', ') || 'none'}: ${listenText(listener, p)}`,
      details: [],
      facts: { pod: podName(pod), ip: p.daddr, port: p.dport, listening: Boolean(listener) },
    });
    return {
      outcome: 'arrives',
      at: `pod ${podName(pod)}`,
      pod: podName(pod),
      ip: p.daddr,
      port: p.dport,
      listening: Boolean(listener),
      reason: listener ? `arrives at pod ${podName(pod)} ${p.daddr}:${p.dport}, where ${listenText(listener, p)}` : `arrives at pod ${podName(pod)} ${p.daddr}, but nothing listens on ${p.protocol}/${p.dport} there${this.otherPorts(pod.netns, p)}`,
      ...(listener ? {} : { fix: `start a server on ${p.protocol}/${p.dport} in the pod, or trace the port it serves (-p)` }),
    };
  }

  private arriveAtHost(p: Packet): TraceVerdict {
    const listener = this.listening('', p);
    this.hops.push({ kind: 'host', title: `the host ${p.daddr}: ${listenText(listener, p)}`, details: [], facts: { ip: p.daddr, port: p.dport, listening: Boolean(listener) } });
    return {
      outcome: 'arrives',
      at: 'host',
      ip: p.daddr,
      port: p.dport,
      listening: Boolean(listener),
      reason: listener ? `arrives at the host ${p.daddr}:${p.dport}, where ${listenText(listener, p)}` : `arrives at the host ${p.daddr}, but nothing listens on ${p.protocol}/${p.dport}`,
    };
  }

  private listening(netns: string, p: Packet): Listener | undefined {
    return this.r.listeners(netns).find((l) => l.protocol === p.protocol && l.port === p.dport && (WILDCARDS.has(l.address) || l.address === p.daddr || (cidrContains('127.0.0.0/8', l.address) && p.daddr === l.address)));
  }

  private otherPorts(netns: string, p: Packet): string {
    const ports = [...new Set(this.r.listeners(netns).filter((l) => l.protocol === p.protocol && !cidrContains('127.0.0.0/8', l.address)).map((l) => l.port))];
    return ports.length ? ` (it listens on ${p.protocol} ${ports.join(', ')})` : ` (nothing listens on ${p.protocol} at all)`;
  }
}

const listenText = (l: Listener | undefined, p: Packet): string =>
  l ? `${l.process ?? 'a process'} listens on ${l.address}:${l.port}/${l.protocol}` : `nothing listens on ${p.protocol}/${p.dport}`;

function vethHop(inside: string, inPod: IpLink, onHost: IpLink, direction: 'out' | 'in'): Hop {
  const pod = `${inside} (ifindex ${inPod.ifindex})`;
  const host = `${onHost.ifname} (ifindex ${onHost.ifindex}) on the host${onHost.master ? `, port of ${onHost.master}` : ''}`;
  return {
    kind: direction === 'out' ? 'interface' : 'veth',
    title: direction === 'out' ? `${pod} → veth peer ${host}` : `veth ${host} → ${pod}`,
    details: [],
    facts: { podIfname: inPod.ifname, podIfindex: inPod.ifindex, hostIfname: onHost.ifname, hostIfindex: onHost.ifindex, ...(onHost.master ? { bridge: onHost.master } : {}) },
  };
}

function bridgeHop(bridge: IpLink, from: IpLink | undefined, to: IpLink | undefined, brNetfilter: boolean | undefined, how: string): Hop {
  const hairpin = to?.linkinfo?.info_slave_data?.hairpin;
  const details: string[] = [];
  if (from && to) details.push(`br_netfilter ${brNetfilter ? 'on: the ip hooks see this bridged packet as ' + `${bridge.ifname} → ${bridge.ifname}` : 'off: bridged packets skip the ip hooks'}`);
  if (from && to && from.ifindex === to.ifindex) details.push(`hairpin ${hairpin ? 'on' : 'off'} on ${to.ifname}${hairpin ? '' : ': the bridge will not send the packet back out of the port it came in on'}`);
  return {
    kind: 'bridge',
    title: `bridge ${bridge.ifname} (${cidrsOf(bridge).join(', ') || 'no address'}): ${from ? from.ifname : 'host'} → ${to ? to.ifname : from ? 'host' : '?'}, ${how}`,
    details,
    facts: { bridge: bridge.ifname, ifindex: bridge.ifindex, brNetfilter: Boolean(brNetfilter), ...(to ? { port: to.ifname, hairpin: Boolean(hairpin) } : {}) },
  };
}
