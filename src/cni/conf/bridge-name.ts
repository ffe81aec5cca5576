import type { NetworkConfigList } from '../types.js';

/** The bridge plugin's own default when its config names no bridge. */
const DEFAULT_BRIDGE = 'cni0';

/** The bridge a `bridge` plugin config makes or joins. */
export function bridgeOfPlugin(plugin: Readonly<Record<string, unknown>>): string {
  return typeof plugin.bridge === 'string' ? plugin.bridge : DEFAULT_BRIDGE;
}

/** The bridge of a network's first bridge plugin; undefined when it has none. */
export function networkBridge(network: NetworkConfigList): string | undefined {
  const plugin = network.plugins.find((p) => p.type === 'bridge');
  return plugin ? bridgeOfPlugin(plugin) : undefined;
}
