import type { PluginConf } from '../../cni/index.js';
import type { LinkDetails, Qdisc } from '../host/link-details.js';
import { DATAGRAM_BYTES, FRAME_OVERHEAD, measureTransfer, type RateSample, type Transfer } from '../host/rate-probe.js';
import { bareIp } from '../checks/result-view.js';

import { lazy, podLink, verdict, type PluginPromises, type PromiseCheck, type PromiseContext, type WiredPod } from './types.js';

/** Into the pod (ingress) or out of it (egress). */
export type Direction = 'ingress' | 'egress';

/** One shaped direction: ingress is traffic into the pod, egress out of it (bits per second, bits). */
export interface Limit {
  direction: Direction;
  rateBits: number;
  burstBits: number;
}

/** A measured rate may be this far from the configured one. */
export const RATE_TOLERANCE = 0.25;
/** How long the sender offers traffic. */
export const SEND_MS = 800;
/** The sender offers this much more than the rate, so the shaper, not the sender, sets the pace. */
export const OVERSUPPLY = 1.5;
/** Faster than this, a transfer on a busy host measures the CPU, not the shaper: the qdisc alone is checked. */
export const MAX_MEASURED_BITS = 100_000_000;

export function bandwidthLimits(conf: PluginConf): Limit[] {
  const num = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);
  const out: Limit[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const rateBits = num(conf[`${direction}Rate`]);
    const burstBits = num(conf[`${direction}Burst`]);
    if (rateBits !== undefined && burstBits !== undefined) out.push({ direction, rateBits, burstBits });
  }
  return out;
}

export const mbit = (bits: number) => `${(bits / 1e6).toFixed(bits < 1e7 ? 2 : 1)} Mbit/s`;

/**
 * The plugin shapes ingress with a token bucket (tbf) as the root qdisc of the pod's host veth,
 * and egress with one on an ifb device the veth's ingress qdisc redirects to. The root qdisc of
 * that device must be a tbf with the configured rate and burst (tc rounds them a little).
 */
export function qdiscProblems(limit: Limit, dev: string, qdiscs: Qdisc[]): string[] {
  const root = qdiscs.find((q) => q.root);
  const want = `${limit.direction}Rate ${limit.rateBits} bit/s`;
  if (!root) return [`${want}: ${dev} has no root qdisc`];
  if (root.kind !== 'tbf') return [`${want}: the root qdisc of ${dev} is ${root.kind}, not the plugin's tbf`];
  const problems: string[] = [];
  const rate = (root.rateBytes ?? 0) * 8;
  if (Math.abs(rate - limit.rateBits) > limit.rateBits * 0.01) problems.push(`${want}: the tbf on ${dev} shapes to ${rate} bit/s`);
  const burst = (root.burstBytes ?? 0) * 8;
  if (Math.abs(burst - limit.burstBits) > Math.max(limit.burstBits * 0.01, 64)) problems.push(`${limit.direction}Burst ${limit.burstBits} bits: the tbf on ${dev} has a burst of ${burst} bits`);
  return problems;
}

/** The shaper counts whole frames; the receiver sees payload. */
export const wireBits = (payloadBytes: number) => (payloadBytes * 8 * (DATAGRAM_BYTES + FRAME_OVERHEAD)) / DATAGRAM_BYTES;

/** What to offer: OVERSUPPLY times the rate for SEND_MS; the burst passes untimed. */
export function transferPlan(limit: Limit): Pick<Transfer, 'offerBytesPerSecond' | 'sendMs' | 'skipBytes'> {
  return { offerBytesPerSecond: (limit.rateBits / 8) * OVERSUPPLY, sendMs: SEND_MS, skipBytes: Math.ceil(limit.burstBits / 8) + DATAGRAM_BYTES };
}

/** The verdict on one measured direction; `undefined` detail means it could not be told (skipped). */
export function rateVerdict(limit: Limit, sample: RateSample): { problems: string[]; skipped?: string } {
  const want = `${limit.direction}Rate ${mbit(limit.rateBits)}`;
  if (sample.offered * 8 < limit.rateBits * 1.1) return { problems: [], skipped: `the sender offered only ${mbit(sample.offered * 8)} (the host is too busy): the rate cannot be told` };
  if (sample.ms <= 0) return { problems: [`${want}: ${sample.received} bytes arrived, no more than the burst; nothing passed at the shaped rate`] };
  const measured = (wireBits(sample.bytes) * 1000) / sample.ms;
  const off = measured / limit.rateBits - 1;
  return Math.abs(off) > RATE_TOLERANCE
    ? { problems: [`${want}: measured ${mbit(measured)} (${off > 0 ? '+' : ''}${Math.round(off * 100)} %, more than ±${RATE_TOLERANCE * 100} % off)`] }
    : { problems: [] };
}

export const describeSample = (sample: RateSample) => `${mbit((wireBits(sample.bytes) * 1000) / sample.ms)} on the wire (${sample.bytes} bytes of UDP payload in ${Math.round(sample.ms)} ms after the burst)`;

/** Where each direction's tbf is: the host veth for ingress, the ifb named in the result for egress. */
function shapedDevice(limit: Limit, hostVeth: LinkDetails | undefined, ifb: LinkDetails | undefined): string | undefined {
  return limit.direction === 'ingress' ? hostVeth?.name : ifb?.name;
}

/**
 * Per pod: each direction's qdisc. On the first pod only (the run stays short): a measured
 * transfer in each shaped direction, between the host and the pod's own address.
 */
export const bandwidthPromises: PluginPromises = (conf, _index, pod, ctx) => {
  const limits = bandwidthLimits(conf);
  if (limits.length === 0) {
    const why = conf.capabilities && (conf.capabilities as Record<string, unknown>).bandwidth === true
      ? 'the rates come from the runtime (capability bandwidth) and this test passes none'
      : 'the config sets no rate with its burst';
    return [{ name: `${pod.label} bandwidth`, run: () => ({ skipped: why }) }];
  }
  const devices = lazy(async () => {
    const [host, link] = await Promise.all([ctx.hostSide(), podLink(ctx, pod)]);
    const ifb = host.links.find((l) => l.kind === 'ifb' && pod.view.hostInterfaces.includes(l.name));
    return { hostVeth: host.peerOf(link), ifb };
  });
  const checks: PromiseCheck[] = limits.map((limit) => ({
    name: `${pod.label} bandwidth ${limit.direction} qdisc`,
    run: async () => {
      const { hostVeth, ifb } = await devices();
      const dev = shapedDevice(limit, hostVeth, ifb);
      if (!dev) throw new Error(limit.direction === 'ingress' ? `the host end of ${pod.view.ifName} is not on the host` : 'the result names no ifb device for egress shaping');
      const qdiscs = await ctx.probe.qdiscs(dev);
      const root = qdiscs.find((q) => q.root);
      return verdict(qdiscProblems(limit, dev, qdiscs), `${dev}: tbf ${mbit((root?.rateBytes ?? 0) * 8)}, burst ${(root?.burstBytes ?? 0) * 8} bits`);
    },
  }));
  if (pod !== ctx.pods[0]) return checks;
  // Both directions at once (separate shapers, and UDP has no acknowledgements to share them).
  const samples = lazy(() => Promise.all(limits.map((limit) => measure(limit, pod, ctx).then((v) => ({ ok: v }), (err: unknown) => ({ err })))));
  for (const [i, limit] of limits.entries()) {
    checks.push({
      name: `${pod.label} bandwidth ${limit.direction} rate`,
      run: async () => {
        const result = (await samples())[i]!;
        if ('err' in result) throw result.err;
        if (typeof result.ok === 'string') return { skipped: result.ok };
        const v = rateVerdict(limit, result.ok);
        if (v.skipped) return { skipped: v.skipped };
        return verdict(v.problems, `${describeSample(result.ok)}, configured ${mbit(limit.rateBits)}`);
      },
    });
  }
  return checks;
};

/**
 * One direction: into the pod, the host sends to the pod's address; out of it, the pod sends to
 * its gateway when that is an address of this host. Resolves to the sample, or why it was not taken.
 */
async function measure(limit: Limit, pod: WiredPod, ctx: PromiseContext): Promise<RateSample | string> {
  if (limit.rateBits > MAX_MEASURED_BITS) return `${mbit(limit.rateBits)} is faster than this check measures reliably; the qdisc was checked`;
  const ip = pod.view.addresses.map(bareIp).find((a) => !a.includes(':'));
  if (!ip) return 'the pod has no IPv4 address';
  const plan = transferPlan(limit);
  if (limit.direction === 'ingress') return measureTransfer({ receiver: { netns: pod.netns, ip }, ...plan });
  const host = await ctx.probe.hostAddresses();
  const gateway = pod.view.gateways.find((g) => !g.includes(':') && host.has(g));
  if (!gateway) return 'the pod\'s gateway is not an address of this host, so nothing on the host can receive its traffic';
  return measureTransfer({ receiver: { ip: gateway }, senderNetns: pod.netns, ...plan });
}
