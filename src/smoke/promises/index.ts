import type { PluginConf } from '../../cni/index.js';
import type { NetworkRun } from '../network-run.js';
import { bandwidthPromises } from './bandwidth.js';
import { bridgePromises } from './bridge.js';
import { firewallPromises, sbrPromises } from './firewall-sbr.js';
import { hostDevicePromises, interfaceKindPromises } from './interface-kind.js';
import { ipamPromises } from './ipam.js';
import { tuningPromises } from './tuning.js';
import type { PluginPromises, PromiseContext } from './types.js';

export { podToPod, type PodToPod } from './interface-kind.js';
export { parentChecks } from './parent.js';
export { runMtuPathChecks } from './mtu-path.js';
export type { PromiseContext, WiredPod } from './types.js';
export { readHostSide, type HostSide } from './host-side.js';

const withIpam = (own: PluginPromises): PluginPromises => (conf, index, pod, ctx) => [...own(conf, index, pod, ctx), ...ipamPromises(conf, index, pod, ctx)];
const nothingMore: PluginPromises = () => [];

/** What podctl knows each plugin promises. */
const PROMISES: Record<string, PluginPromises> = {
  bridge: withIpam(bridgePromises),
  ptp: withIpam(interfaceKindPromises),
  macvlan: withIpam(interfaceKindPromises),
  ipvlan: withIpam(interfaceKindPromises),
  vlan: withIpam(interfaceKindPromises),
  'host-device': withIpam(hostDevicePromises),
  tuning: tuningPromises,
  bandwidth: bandwidthPromises,
  firewall: firewallPromises,
  sbr: sbrPromises,
  // Its promise, host ports reaching the pod, is the `portmap` check.
  portmap: nothingMore,
};

/** The plugins of a chain whose effect podctl cannot check. */
export const uncheckedPlugins = (plugins: PluginConf[]): string[] => [...new Set(plugins.map((p) => p.type).filter((t) => !(t in PROMISES)))];

/** Every known plugin's promises on every wired pod, in chain order; one skipped line per unknown plugin. */
export async function runPromiseChecks(run: NetworkRun, ctx: PromiseContext): Promise<void> {
  for (const type of uncheckedPlugins(ctx.net.plugins)) {
    run.skip('live', `${type} effect`, `podctl does not know what ${type} promises: it ran and was leak-checked, its effect was not checked`);
  }
  for (const pod of ctx.pods) {
    for (const [index, plugin] of ctx.net.plugins.entries()) {
      const promises = PROMISES[plugin.type];
      if (!promises) continue;
      for (const check of promises(plugin, index, pod, ctx)) await run.check('live', check.name, () => check.run());
    }
  }
}
