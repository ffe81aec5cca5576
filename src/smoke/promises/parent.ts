import type { NetworkConfigList } from '../../cni/index.js';
import type { NetProbe } from '../host/net-probe.js';
import type { PromiseCheck } from './types.js';

/** The host link each of these plugins builds on, and the field that names it. */
const PARENT_FIELD: Record<string, string> = { macvlan: 'master', ipvlan: 'master', vlan: 'master', 'host-device': 'device' };

/**
 * Before any ADD: the parent link a macvlan, ipvlan or vlan config names (host-device: the
 * device) exists on this host. Without it the plugins say only "Link not found".
 */
export function parentChecks(net: NetworkConfigList, probe: NetProbe): PromiseCheck[] {
  return net.plugins.flatMap((plugin, i): PromiseCheck[] => {
    const field = PARENT_FIELD[plugin.type];
    if (!field) return [];
    const name = plugin[field];
    return [{
      name: `${plugin.type} ${field}`,
      run: async () => {
        if (typeof name !== 'string' || name === '') {
          return { skipped: `plugins[${i}] names no ${field}: ${plugin.type === 'host-device' ? 'the device is found by MAC, kernel path or PCI address' : 'the plugin takes the host\'s default-route interface, whose network this test does not touch'}` };
        }
        const link = (await probe.linkDetails(undefined, name))[0];
        if (!link) throw new Error(`${field} ${name} of ${plugin.type} (plugins[${i}]) is not a link on this host: create it or name one that exists`);
        return { detail: `${name}: ${link.kind || 'device'}, mtu ${link.mtu}` };
      },
    }];
  });
}
