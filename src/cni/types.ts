import type { CniVersion } from './versions.js';
import type { CniResult } from './result/types.js';

/** One plugin entry of a network: `type` plus whatever fields the plugin understands. */
export interface PluginConf {
  type: string;
  capabilities?: Record<string, unknown>;
  [field: string]: unknown;
}

/** A network: a list of plugins run in order (a single-plugin `.conf` is a list of one). */
export interface NetworkConfigList {
  name: string;
  /** The version chosen for this runtime (from `cniVersion` / `cniVersions`). */
  cniVersion: CniVersion;
  plugins: PluginConf[];
  disableCheck: boolean;
  disableGC: boolean;
  /** The file it was loaded from, when it came from a file. */
  file?: string;
  /** The source text, kept so the cache can replay exactly what ADD used. */
  bytes: string;
}

/** One attachment of a container to a network (libcni's RuntimeConf). */
export interface RuntimeConf {
  containerId: string;
  /** Network namespace path; '' allowed for DEL when the namespace is gone. */
  netns: string;
  ifName: string;
  /** CNI_ARGS pairs; the runtime prepends IgnoreUnknown=1. */
  args?: Array<[string, string]>;
  /** portMappings, dns, bandwidth, ips, mac, ...: sent only to plugins declaring the capability. */
  capabilityArgs?: Record<string, unknown>;
}

/** An attachment the GC must keep (serialised as `{containerID, ifname}` per the spec). */
export interface GcAttachment {
  containerId: string;
  ifName: string;
}

/** What the cache remembers about an attachment after a successful ADD. */
export interface CachedAttachment {
  network: string;
  containerId: string;
  ifName: string;
  netns: string;
  args: Array<[string, string]>;
  capabilityArgs: Record<string, unknown>;
  /** The network config text ADD ran with. */
  config: string;
  /**
   * false from just before ADD's first plugin until the whole list answered: the entry is then
   * the intent (what a DEL after a kill must replay), and `result` is the prevResult of the
   * last plugin that was started (none before the first), so DEL gives every plugin the
   * addresses it may have acted on (the firewall plugin's rules name only an address).
   */
  complete: boolean;
  result?: CniResult;
  createdAt: string;
  /** The cache file holding it. */
  file: string;
}
