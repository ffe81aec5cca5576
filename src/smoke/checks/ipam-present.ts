import { isObj, type Json } from './json.js';

/** Interface plugins that give the pod an address only through their `ipam` section. */
const NEEDS_IPAM = new Set(['bridge', 'ptp', 'macvlan', 'ipvlan', 'vlan', 'host-device']);

/**
 * Problems with `ipam`: an interface plugin without one leaves the pod with no address, so
 * nothing could reach it; an ipam section without a `type` names no plugin to run.
 */
export function ipamProblems(root: unknown): string[] {
  if (!isObj(root)) return [];
  const listed = Array.isArray(root.plugins);
  const plugins = listed ? (root.plugins as unknown[]) : [root];
  const problems: string[] = [];
  plugins.forEach((p, i) => {
    if (!isObj(p) || typeof p.type !== 'string') return;
    const where = listed ? `plugins[${i}] (${p.type})` : `plugin ${p.type}`;
    if (p.ipam === undefined) {
      if (NEEDS_IPAM.has(p.type)) problems.push(`${where} has no ipam section: pods would get no IP address (add e.g. "ipam": {"type": "host-local", "subnet": ...})`);
    } else if (!isObj(p.ipam) || typeof p.ipam.type !== 'string' || p.ipam.type === '') {
      problems.push(`${where}: ipam has no type (e.g. "host-local")`);
    }
  });
  return problems;
}

/** Every plugin binary the network runs: the chain's types and their ipam types, once each. */
export function pluginTypes(root: unknown): string[] {
  if (!isObj(root)) return [];
  const plugins = Array.isArray(root.plugins) ? (root.plugins as unknown[]) : [root];
  const types: string[] = [];
  for (const p of plugins) {
    if (!isObj(p)) continue;
    if (typeof p.type === 'string') types.push(p.type);
    if (isObj(p.ipam) && typeof p.ipam.type === 'string' && p.ipam.type !== '') types.push(p.ipam.type);
  }
  return [...new Set(types)];
}
