import { bridgeOfPlugin, type PluginConf } from '../../cni/index.js';
import type { LinkDetails } from '../host/link-details.js';
import { bareIp } from '../checks/result-view.js';
import { mtuSetLater } from './host-side.js';
import { lazy, podLink, verdict, type PluginPromises } from './types.js';

export interface BridgeSeen {
  bridge?: LinkDetails;
  /** Addresses on the bridge, `address/prefix`. */
  bridgeAddresses: string[];
  hostVeth?: LinkDetails;
  pod: LinkDetails;
  /** The VLAN ids of the pod's bridge port (`bridge vlan`), when the config asks for one. */
  portVlans?: number[];
}

/**
 * What a bridge config promises against what the host and pod have: the bridge (with the
 * gateways as its addresses when isGateway), the pod's veth enslaved to it, hairpin and promisc
 * as configured, the VLAN, and the MTU of bridge, veth and pod interface.
 */
export function bridgeProblems(conf: PluginConf, gateways: string[], seen: BridgeSeen, podMtuByLater: boolean): string[] {
  const name = bridgeOfPlugin(conf);
  const { bridge, hostVeth, pod } = seen;
  if (!bridge || bridge.kind !== 'bridge') return [`bridge ${name} does not exist on the host`];
  const problems: string[] = [];
  if (conf.isGateway === true || conf.isDefaultGateway === true) {
    const on = new Set(seen.bridgeAddresses.map(bareIp));
    for (const gw of gateways) if (!on.has(gw)) problems.push(`isGateway: the gateway ${gw} is not an address of ${name} (it has ${seen.bridgeAddresses.join(', ') || 'none'})`);
  }
  if (!hostVeth) problems.push(`the host end of ${pod.name} is not on the host`);
  else {
    if (hostVeth.master !== name) problems.push(`the pod's veth ${hostVeth.name} is not a port of ${name} (master ${hostVeth.master ?? 'none'})`);
    const hairpin = conf.hairpinMode === true;
    if (hostVeth.hairpin !== undefined && hostVeth.hairpin !== hairpin) problems.push(`hairpinMode ${hairpin}: port ${hostVeth.name} has hairpin ${hostVeth.hairpin ? 'on' : 'off'}`);
  }
  if (conf.promiscMode === true && !bridge.promisc) problems.push(`promiscMode: ${name} is not promiscuous`);
  if (typeof conf.vlan === 'number' && conf.vlan > 0) {
    if (!bridge.vlanFiltering) problems.push(`vlan ${conf.vlan}: ${name} has VLAN filtering off`);
    if (seen.portVlans && !seen.portVlans.includes(conf.vlan)) problems.push(`vlan ${conf.vlan}: port ${hostVeth?.name} carries VLAN ${seen.portVlans.join(', ') || 'none'}`);
  }
  if (typeof conf.mtu === 'number') {
    const links = [bridge, ...(hostVeth ? [hostVeth] : []), ...(podMtuByLater ? [] : [pod])];
    for (const l of links) if (l.mtu !== conf.mtu) problems.push(`mtu ${conf.mtu}: ${l.name} has mtu ${l.mtu}`);
  }
  return problems;
}

export function describeBridge(seen: BridgeSeen): string {
  const { bridge, hostVeth, pod } = seen;
  const parts = [
    `${bridge!.name} ${seen.bridgeAddresses.join(', ') || 'no address'} mtu ${bridge!.mtu}`,
    hostVeth ? `port ${hostVeth.name} mtu ${hostVeth.mtu} hairpin ${hostVeth.hairpin ? 'on' : 'off'}` : '',
    `${pod.name} mtu ${pod.mtu}`,
    bridge!.promisc ? 'promisc' : '',
    seen.portVlans ? `vlan ${seen.portVlans.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

export const bridgePromises: PluginPromises = (conf, index, pod, ctx) => {
  const name = bridgeOfPlugin(conf);
  const seen = lazy(async (): Promise<BridgeSeen> => {
    const [host, link, addresses] = await Promise.all([ctx.hostSide(), podLink(ctx, pod), ctx.probe.hostLinkAddresses(name)]);
    const hostVeth = host.peerOf(link);
    const portVlans = typeof conf.vlan === 'number' && conf.vlan > 0 && hostVeth ? await ctx.probe.bridgeVlans(hostVeth.name) : undefined;
    return { bridge: host.byName(name), bridgeAddresses: addresses, hostVeth, pod: link, ...(portVlans && { portVlans }) };
  });
  return [{
    name: `${pod.label} bridge`,
    run: async () => {
      const s = await seen();
      return verdict(bridgeProblems(conf, pod.view.gateways, s, mtuSetLater(ctx, index)), describeBridge(s));
    },
  }];
};
