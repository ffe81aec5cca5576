/**
 * The iptables rules and chains the CNI plugins podctl uses leave for podctl's networks when no
 * DEL ever ran for them, found by what they name rather than by a container id podctl still
 * knows (gc's last pass, after every pod and attachment is settled):
 *
 * - a rule whose comment names a podctl network and a container nothing holds any more (the
 *   bridge plugin's ipMasq jump and chain, portmap's jump to its DNAT chain);
 * - the firewall plugin's `CNI-FORWARD` rules (`-s ADDR/32 -j ACCEPT`, `-d ADDR/32 ... ACCEPT`),
 *   which name only an address: taken when the address is in a podctl network and no
 *   allocation holds it;
 * - portmap's `CNI-DN-<hash>` chains whose DNAT goes to such an address.
 *
 * Pure: the caller lists the tables first and reads what holds addresses and ids after, so a
 * plugin that adds a rule meanwhile (its cache intent and address file come before it) is seen.
 */
import { cidrContains } from '../util/cidr.js';
import { PER_CONTAINER_CHAIN, splitRule } from './iptables-leftovers.js';
import type { RunCommand } from './pins.js';

export interface PluginRuleScope {
  /** podctl's networks: the name the plugins write in their comments, and their address ranges. */
  networks: ReadonlyArray<{ name: string; subnets: readonly string[] }>;
  /** Addresses an allocation holds (a host-local file, a cached ADD result). */
  heldAddresses: ReadonlySet<string>;
  /** Container ids something still names (a container, a checkpoint, a cache entry, an address file). */
  keptIds: ReadonlySet<string>;
}

export interface StaleRule {
  table: string;
  /** `-A CHAIN ...` as `iptables -S` prints it, split into arguments. */
  args: string[];
  reason: string;
}

export interface StaleChain {
  table: string;
  chain: string;
  reason: string;
}

export interface StalePluginRules {
  /** Rules to delete one by one (rules inside a stale chain go with its flush). */
  rules: StaleRule[];
  /** Chains to flush and delete, after the rules (jumps to them among them). */
  chains: StaleChain[];
}

/** The network and container a plugin's comment names: `name: "NET" id: "ID"` (bridge), `dnat name: ...` (portmap). */
function commentOwner(args: string[]): { network: string; id: string } | undefined {
  const comment = args[args.indexOf('--comment') + 1];
  const m = comment === undefined ? null : /name: "([^"]+)" id: "([0-9a-f]{64})"/.exec(comment);
  return m ? { network: m[1]!, id: m[2]! } : undefined;
}

const valueOf = (args: string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i - 1] !== '!' ? args[i + 1] : undefined;
};

/** `10.99.3.83/32` (or `/128`) as `10.99.3.83`; a wider prefix is not one address. */
function hostAddress(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^([0-9a-f.:]+)\/(32|128)$/.exec(value);
  return m?.[1];
}

/** `10.99.3.83:80` (portmap's `--to-destination`) as `10.99.3.83`; `[fd00::5]:80` as `fd00::5`. */
function destinationAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v6 = /^\[([0-9a-f:]+)\](:\d+)?$/.exec(value);
  return v6 ? v6[1] : value.split(':')[0];
}

export function findStalePluginRules(table: string, listing: string, scope: PluginRuleScope): StalePluginRules {
  const names = new Set(scope.networks.map((n) => n.name));
  const ours = (address: string) => scope.networks.some((n) => n.subnets.some((s) => cidrContains(s, address)));
  const unheld = (address: string | undefined): address is string => address !== undefined && ours(address) && !scope.heldAddresses.has(address);
  const rules = listing
    .split('\n')
    .filter((l) => l.startsWith('-A '))
    .map((l) => splitRule(l));
  const target = (args: string[]) => valueOf(args, '-j');

  const staleChains = new Map<string, string>();
  const candidates: StaleRule[] = [];
  for (const args of rules) {
    const chain = args[1]!;
    const owner = commentOwner(args);
    if (owner && names.has(owner.network) && !scope.keptIds.has(owner.id)) {
      const reason = `a ${owner.network} network rule of container ${owner.id.slice(0, 12)}, which nothing holds`;
      if (PER_CONTAINER_CHAIN.test(chain)) staleChains.set(chain, reason);
      else candidates.push({ table, args, reason });
      const jump = target(args);
      if (jump && PER_CONTAINER_CHAIN.test(jump)) staleChains.set(jump, reason);
    } else if (chain === 'CNI-FORWARD' && !owner) {
      const address = hostAddress(valueOf(args, '-s')) ?? hostAddress(valueOf(args, '-d'));
      if (unheld(address)) candidates.push({ table, args, reason: `the firewall plugin's rule for ${address}, which no allocation holds` });
    } else if (chain.startsWith('CNI-DN-') && PER_CONTAINER_CHAIN.test(chain)) {
      const address = destinationAddress(valueOf(args, '--to-destination'));
      if (unheld(address)) staleChains.set(chain, `portmap's DNAT chain to ${address}, which no allocation holds`);
    }
  }
  // A chain can only be deleted once nothing jumps to it.
  for (const args of rules) {
    const jump = target(args);
    if (jump && staleChains.has(jump) && !candidates.some((c) => c.args === args)) candidates.push({ table, args, reason: staleChains.get(jump)! });
  }
  return {
    rules: candidates.filter((r) => !staleChains.has(r.args[1]!)),
    chains: [...staleChains].map(([chain, reason]) => ({ table, chain, reason })),
  };
}

/** Deletes the rules, then flushes and deletes the chains; one that is already gone is no failure. */
export async function removeStalePluginRules(run: RunCommand, stale: StalePluginRules): Promise<void> {
  for (const rule of stale.rules) await run('iptables', ['-w', '-t', rule.table, '-D', ...rule.args.slice(1)]).catch(() => undefined);
  for (const { table, chain } of stale.chains) {
    await run('iptables', ['-w', '-t', table, '-F', chain]).catch(() => undefined);
    await run('iptables', ['-w', '-t', table, '-X', chain]).catch(() => undefined);
  }
}
