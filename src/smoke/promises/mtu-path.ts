import type { LinkDetails } from '../host/link-details.js';
import { bareIp } from '../checks/result-view.js';
import type { HostSide } from './host-side.js';
import type { NetworkRun } from '../network-run.js';
import { podLink, type PromiseContext, type WiredPod } from './types.js';

/** IP and ICMP headers: the largest echo payload a link of MTU m sends unsplit is m minus these. */
export const echoOverhead = (ip: string) => (ip.includes(':') ? 48 : 28);

/** A link on the way and its MTU. */
export interface Hop {
  what: string;
  mtu: number;
}

/**
 * The links a packet from a pod crosses on this host: its interface, its host end, the bridge
 * that end is a port of, and the destination's host end and interface (for a pod).
 */
export function pathHops(from: { label: string; link: LinkDetails }, host: HostSide, to?: { label: string; link: LinkDetails }): Hop[] {
  const hops: Hop[] = [{ what: `${from.label} ${from.link.name}`, mtu: from.link.mtu }];
  const out = host.peerOf(from.link);
  if (out) hops.push({ what: `${out.kind || 'link'} ${out.name}`, mtu: out.mtu });
  const bridge = out?.master ? host.byName(out.master) : undefined;
  if (bridge) hops.push({ what: `bridge ${bridge.name}`, mtu: bridge.mtu });
  if (to) {
    const into = host.peerOf(to.link);
    if (into && into.name !== out?.name) hops.push({ what: `${into.kind || 'link'} ${into.name}`, mtu: into.mtu });
    hops.push({ what: `${to.label} ${to.link.name}`, mtu: to.link.mtu });
  }
  return hops;
}

const describeHops = (hops: Hop[]) => hops.map((h) => `${h.what} ${h.mtu}`).join(', ');

/** The failure: the packet the pod's MTU allows was lost, and the MTUs on the way say why. */
export function mtuPathMessage(fromLabel: string, toLabel: string, ip: string, payload: number, hops: Hop[], pingError: string): string {
  const podMtu = hops[0]!.mtu;
  const smallest = hops.slice(1).reduce((m, h) => Math.min(m, h.mtu), Number.POSITIVE_INFINITY);
  const why = smallest < podMtu
    ? `${fromLabel}'s MTU is ${podMtu} but the path carries at most ${smallest}`
    : 'no link on the way has a smaller MTU';
  return `a ${payload + echoOverhead(ip)}-byte packet (don't fragment) from ${fromLabel} does not reach ${toLabel} ${ip}: ${why} (MTUs: ${describeHops(hops)}); ${pingError}`;
}

interface MtuTarget {
  from: WiredPod;
  /** A pod, or the gateway on this host. */
  to: { label: string; ip: string; pod?: WiredPod };
}

/** Sends the largest packet `from`'s MTU allows to the target; resolves to the detail or throws the failure. */
async function probeMtuPath(ctx: PromiseContext, target: MtuTarget): Promise<string> {
  const { from, to } = target;
  const [host, fromLink, toLink] = await Promise.all([
    ctx.hostSide(),
    podLink(ctx, from),
    to.pod ? podLink(ctx, to.pod) : Promise.resolve(undefined),
  ]);
  const hops = pathHops({ label: from.label, link: fromLink }, host, toLink && { label: to.label, link: toLink });
  const payload = fromLink.mtu - echoOverhead(to.ip);
  const error = await ctx.probe.pingSized(from.netns, to.ip, payload);
  if (error !== undefined) throw new Error(mtuPathMessage(from.label, to.label, to.ip, payload, hops, error));
  return `${payload + echoOverhead(to.ip)}-byte packet to ${to.ip} answered (MTUs: ${describeHops(hops)})`;
}

/**
 * The MTU path: the largest packet each pod's MTU allows, with "don't fragment", to each pod it
 * already pinged (`answered`, by label) and to its gateway on this host. A link on the way with
 * a smaller MTU drops it, and the failure names both MTUs.
 */
export async function runMtuPathChecks(run: NetworkRun, ctx: PromiseContext, answered: Array<[string, string]>): Promise<void> {
  const byLabel = (label: string) => ctx.pods.find((p) => p.label === label);
  for (const [fromLabel, toLabel] of answered) {
    const from = byLabel(fromLabel);
    const to = byLabel(toLabel);
    const ip = to && probeAddress(to);
    if (!from || !to || !ip) continue;
    await run.check('live', `${from.label} → ${to.label} mtu path`, async () => ({ detail: await probeMtuPath(ctx, { from, to: { label: to.label, ip, pod: to } }) }));
  }
  const host = await ctx.probe.hostAddresses();
  for (const pod of ctx.pods) {
    const gateway = pod.view.gateways.find((g) => host.has(g) && !g.includes(':')) ?? pod.view.gateways.find((g) => host.has(g));
    if (!gateway) continue;
    await run.check('live', `${pod.label} → gateway mtu path`, async () => ({ detail: await probeMtuPath(ctx, { from: pod, to: { label: 'gateway', ip: gateway } }) }));
  }
}

/** The address to probe: the pod's first IPv4 address, else its first. */
const probeAddress = (pod: WiredPod): string | undefined => {
  const ips = pod.view.addresses.map(bareIp);
  return ips.find((a) => !a.includes(':')) ?? ips[0];
};
