import type { NetworkConfigList } from '../types.js';

/** What `podctl net ls` shows of a network. */
export interface NetworkSummary {
  name: string;
  file?: string;
  cniVersion: string;
  plugins: string[];
  /** The address ranges its IPAM sections name (host-local `subnet` / `ranges`, static `addresses`). */
  subnets: string[];
  disableCheck: boolean;
  disableGC: boolean;
}

export function summarizeNetwork(net: NetworkConfigList): NetworkSummary {
  const subnets = net.plugins.flatMap((plugin) => {
    const ipam = plugin.ipam as { subnet?: unknown; ranges?: unknown; addresses?: unknown } | undefined;
    if (!ipam || typeof ipam !== 'object') return [];
    const ranges = Array.isArray(ipam.ranges) ? (ipam.ranges.flat() as Array<{ subnet?: unknown }>) : [];
    const addresses = Array.isArray(ipam.addresses) ? (ipam.addresses as Array<{ address?: unknown }>) : [];
    return [ipam.subnet, ...ranges.map((r) => r?.subnet), ...addresses.map((a) => a?.address)].filter((s): s is string => typeof s === 'string');
  });
  return {
    name: net.name,
    ...(net.file !== undefined && { file: net.file }),
    cniVersion: net.cniVersion,
    plugins: net.plugins.map((p) => p.type),
    subnets,
    disableCheck: net.disableCheck,
    disableGC: net.disableGC,
  };
}
