import { isCniError } from '../../cni/index.js';

/**
 * Plugin failures that are the plugin's bug, not the config's: `cni test` reports them as
 * what they are (with the upstream reference and how to avoid them) instead of failing a
 * correct config.
 */
interface KnownBug {
  plugin: string;
  verb: string;
  /** Matches the plugin's own error message. */
  message: RegExp;
  explain: string;
}

const KNOWN_BUGS: KnownBug[] = [
  {
    plugin: 'portmap',
    verb: 'CHECK',
    message: /could not check ipv6 dnat/,
    explain: 'portmap cannot CHECK its own rules ("could not check ipv6 dnat"): a known plugin bug, ' +
      'containernetworking/plugins#819 (portmap 1.1.x), not a problem of this config. ' +
      'Avoid it with "disableCheck": true on the network (podctl honours it) or a portmap with the fix',
  },
];

/** The explanation when `err` is a known plugin bug, else undefined. */
export function knownPluginBug(err: unknown): string | undefined {
  if (!isCniError(err)) return undefined;
  return KNOWN_BUGS.find((b) => b.plugin === err.plugin && b.verb === err.verb && b.message.test(err.msg))?.explain;
}
