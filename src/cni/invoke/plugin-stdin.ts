import type { NetworkConfigList, PluginConf } from '../types.js';
import type { CniResult } from '../result/types.js';

export interface StdinInjection {
  prevResult?: CniResult;
  capabilityArgs?: Record<string, unknown>;
  /** Extra top-level fields (the GC attachment lists). */
  extra?: Record<string, unknown>;
}

/**
 * The config a plugin reads on stdin: its own entry with the network's `name` and chosen
 * `cniVersion`, `runtimeConfig` holding only the capabilities it declares, and `prevResult`.
 */
export function pluginStdin(net: Pick<NetworkConfigList, 'name' | 'cniVersion'>, plugin: PluginConf, inject: StdinInjection = {}): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, name: net.name, cniVersion: net.cniVersion };
  const runtimeConfig = runtimeConfigFor(plugin, inject.capabilityArgs);
  if (runtimeConfig) conf.runtimeConfig = runtimeConfig;
  if (inject.prevResult) conf.prevResult = inject.prevResult;
  return { ...conf, ...inject.extra };
}

/** The capability args the plugin declares with `capabilities: {name: true}`; undefined when none. */
export function runtimeConfigFor(plugin: PluginConf, capabilityArgs: Record<string, unknown> = {}): Record<string, unknown> | undefined {
  const declared = plugin.capabilities ?? {};
  const entries = Object.entries(capabilityArgs).filter(([cap, value]) => declared[cap] === true && value !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
