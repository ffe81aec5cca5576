import type { NetworkConfigList, PluginConf } from '../../cni/index.js';
import type { LinkDetails } from '../host/link-details.js';
import { bareIp } from '../checks/result-view.js';
import type { HostSide } from './host-side.js';
import { lazy, podLink, verdict, type PluginPromises } from './types.js';

/** The kind of link each interface plugin gives the pod, and the mode it defaults to. */
const KINDS: Record<string, { kind: string; defaultMode?: string }> = {
  ptp: { kind: 'veth' },
  macvlan: { kind: 'macvlan', defaultMode: 'bridge' },
  ipvlan: { kind: 'ipvlan', defaultMode: 'l2' },
  vlan: { kind: 'vlan' },
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * What a ptp, macvlan, ipvlan or vlan config promises about the pod's interface: its kind,
 * its mode, its parent (the `master`, or the host end for ptp, which holds the gateway).
 */
export function interfaceKindProblems(conf: PluginConf, pod: LinkDetails, host: HostSide, gateways: string[], hostAddresses: string[]): string[] {
  const want = KINDS[conf.type];
  if (!want) return [];
  const problems: string[] = [];
  if (pod.kind !== want.kind) problems.push(`${conf.type} makes a ${want.kind} link; ${pod.name} is ${pod.kind || 'a plain device'}`);
  const mode = str(conf.mode) ?? want.defaultMode;
  if (mode !== undefined && pod.mode !== undefined && pod.mode !== mode) problems.push(`mode ${mode}: ${pod.name} is in mode ${pod.mode}`);
  if (conf.type === 'vlan' && typeof conf.vlanId === 'number' && pod.vlanId !== conf.vlanId) problems.push(`vlanId ${conf.vlanId}: ${pod.name} has VLAN ${pod.vlanId ?? 'none'}`);
  const parent = host.peerOf(pod);
  if (conf.type === 'ptp') {
    if (!parent || parent.kind !== 'veth') problems.push(`the host end of ${pod.name} is not on the host`);
    else {
      const on = new Set(hostAddresses.map(bareIp));
      for (const gw of gateways) if (!on.has(gw)) problems.push(`the gateway ${gw} is not an address of the host end ${parent.name}`);
    }
  } else {
    const master = str(conf.master);
    if (!parent) problems.push(`the parent of ${pod.name} is not on the host`);
    else if (master !== undefined && parent.name !== master) problems.push(`master ${master}: the parent of ${pod.name} is ${parent.name}`);
  }
  return problems;
}

export const interfaceKindPromises: PluginPromises = (conf, _index, pod, ctx) => {
  const seen = lazy(async () => {
    const [host, link] = await Promise.all([ctx.hostSide(), podLink(ctx, pod)]);
    const parent = host.peerOf(link);
    const addresses = conf.type === 'ptp' && parent ? await ctx.probe.hostLinkAddresses(parent.name) : [];
    return { host, link, parent, addresses };
  });
  return [{
    name: `${pod.label} ${conf.type}`,
    run: async () => {
      const { host, link, parent, addresses } = await seen();
      const mode = link.mode ? ` mode ${link.mode}` : link.vlanId !== undefined ? ` id ${link.vlanId}` : '';
      const on = parent ? ` on ${parent.name}${addresses.length > 0 ? ` (${addresses.join(', ')})` : ''}` : '';
      return verdict(interfaceKindProblems(conf, link, host, pod.view.gateways, addresses), `${link.name} ${link.kind}${mode}${on} mtu ${link.mtu}`);
    },
  }];
};

/** host-device moves a host link into the pod: it must have left the host and be the pod's interface. */
export const hostDevicePromises: PluginPromises = (conf, _index, pod, ctx) => [{
  name: `${pod.label} host-device`,
  run: async () => {
    const device = str(conf.device);
    const link = await podLink(ctx, pod);
    if (device === undefined) return { detail: `${link.name} ${link.kind || 'device'} (the config names the device by ${str(conf.hwaddr) ? 'MAC' : 'kernel path or PCI address'})` };
    const still = (await ctx.probe.linkDetails(undefined, device))[0];
    return verdict(still ? [`device ${device} is still on the host, not in netns ${pod.netns}`] : [], `${device} is ${link.name} in netns ${pod.netns}`);
  },
}];

/** Whether the pods of a network must reach each other, must not, or it depends on outside gear. */
export type PodToPod = { expect: 'reach' } | { expect: 'isolated' | 'unknown'; why: string };

export function podToPod(net: NetworkConfigList): PodToPod {
  const main = net.plugins[0];
  if (main?.type !== 'macvlan') return { expect: 'reach' };
  const mode = str(main.mode) ?? 'bridge';
  if (mode === 'private') return { expect: 'isolated', why: 'macvlan mode private forbids traffic between links of one parent' };
  if (mode === 'vepa' || mode === 'passthru') return { expect: 'unknown', why: `in macvlan mode ${mode} traffic between pods goes through the external switch, which returns it only if it hairpins` };
  return { expect: 'reach' };
}
