import type { IpLink, IpRouteGet, Listener, Need, PodInfo, TraceSnapshot } from './types.js';

/** Thrown when the path needs something the snapshot lacks; the gatherer fetches it and retries. */
export class MissingData extends Error {
  constructor(readonly needs: Need[]) {
    super(`trace needs more data: ${needs.map((n) => `${n.kind} ${n.netns}${n.kind === 'route' ? ` ${n.dst}` : n.kind === 'sysctl' ? n.key : ''}`).join(', ')}`);
  }
}

/** Read access to a snapshot, by the questions the path asks. `''` is the host's namespace. */
export class SnapshotReader {
  constructor(readonly snap: TraceSnapshot) {}

  route(netns: string, dst: string): IpRouteGet | { error: string } {
    const r = this.snap.routes[`${netns} ${dst}`];
    if (!r) throw new MissingData([{ kind: 'route', netns, dst }]);
    return r;
  }

  links(netns: string): IpLink[] {
    const l = this.snap.links[netns];
    // A pod's links are read when it is on the path; its listeners are asked for in the same round.
    if (!l) throw new MissingData([{ kind: 'links', netns }, ...(netns && !this.snap.listeners[netns] ? [{ kind: 'listeners' as const, netns }] : [])]);
    return l;
  }

  listeners(netns: string): Listener[] {
    const l = this.snap.listeners[netns];
    if (!l) throw new MissingData([{ kind: 'listeners', netns }]);
    return l;
  }

  sysctl(key: string): string {
    const v = this.snap.sysctls?.[key];
    if (v === undefined) throw new MissingData([{ kind: 'sysctl', netns: '', key }]);
    return v;
  }

  hostLink(ifindex: number): IpLink | undefined {
    return this.links('').find((l) => l.ifindex === ifindex);
  }

  hostLinkNamed(name: string): IpLink | undefined {
    return this.links('').find((l) => l.ifname === name);
  }

  /** Every IPv4 address of the host. */
  hostAddresses(): Set<string> {
    return new Set(this.links('').flatMap(ipv4Of));
  }

  podByIp(ip: string): PodInfo | undefined {
    return this.snap.pods.find((p) => p.ips.includes(ip));
  }

  pod(name: string, namespace: string): PodInfo | undefined {
    return this.snap.pods.find((p) => p.name === name && p.namespace === namespace);
  }

  /** The host-side veth of a pod's interface holding `ip` (its peer's ifindex, in the host). */
  hostVethOf(pod: PodInfo, ip: string): { inPod: IpLink; onHost?: IpLink } | undefined {
    const inPod = this.links(pod.netns).find((l) => ipv4Of(l).includes(ip));
    if (!inPod) return undefined;
    const onHost = inPod.link_index !== undefined ? this.hostLink(inPod.link_index) : undefined;
    return { inPod, ...(onHost ? { onHost } : {}) };
  }
}

export const ipv4Of = (link: IpLink): string[] => (link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => a.local);

export const cidrsOf = (link: IpLink): string[] => (link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
