import type { LinkDetails } from '../host/link-details.js';
import type { NetProbe } from '../host/net-probe.js';
import type { PromiseContext } from './types.js';

/** The host's links (one `ip -d -j link`), and the host link a pod's veth or parent points at. */
export interface HostSide {
  links: LinkDetails[];
  byName(name: string): LinkDetails | undefined;
  /** The host end of a pod link: its veth peer, or the macvlan/ipvlan/vlan parent. */
  peerOf(podLink: LinkDetails): LinkDetails | undefined;
}

export async function readHostSide(probe: NetProbe): Promise<HostSide> {
  const links = await probe.linkDetails(undefined);
  return {
    links,
    byName: (name) => links.find((l) => l.name === name),
    peerOf: (podLink) => (podLink.linkIndex === undefined ? undefined : links.find((l) => l.ifindex === podLink.linkIndex)),
  };
}

/** Whether a later plugin of the chain (tuning) sets the pod's MTU itself. */
export function mtuSetLater(ctx: PromiseContext, index: number): boolean {
  return ctx.net.plugins.slice(index + 1).some((p) => p.type === 'tuning' && typeof p.mtu === 'number');
}

export const describeLink = (l: LinkDetails) => `${l.kind || 'device'} ${l.name}`;
