/**
 * Removes iptables rules and chains that CNI plugins left naming a container id. The bridge
 * plugin's DEL without a namespace (pause and pin both gone) releases the IP but keeps its
 * ipMasq chain; this is the cleanup for that case, and for `podctl gc`. Only rules whose
 * comment carries the full 64-hex id are touched, so nothing that is not the pod's goes.
 */

import type { RunCommand } from './pins.js';

export type ReadCommand = (file: string, args: string[]) => Promise<string>;

/** Splits an `iptables -S` line into arguments, honouring "quoted \"strings\"". */
export function splitRule(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quoted = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted && ch === '\\' && i + 1 < line.length) {
      current += line[++i];
    } else if (ch === '"') {
      quoted = !quoted;
      has = true;
    } else if (ch === ' ' && !quoted) {
      if (has || current) args.push(current);
      current = '';
      has = false;
    } else {
      current += ch;
    }
  }
  if (has || current) args.push(current);
  return args;
}

export interface LeftoverRules {
  table: string;
  rules: string[][]; // `-A CHAIN ...` argument lists
  chains: string[]; // chains those rules jump to (CNI-...), to flush and delete
}

/** A chain a plugin makes per container: bridge's ipMasq chain CNI-<hash>, portmap's DNAT chain CNI-DN-<hash> (its rules carry no id). */
export const PER_CONTAINER_CHAIN = /^CNI-(DN-)?[0-9a-f]{16,}$/;

export function findLeftovers(table: string, listing: string, containerId: string): LeftoverRules {
  const rules: string[][] = [];
  const chains = new Set<string>();
  for (const line of listing.split('\n')) {
    if (!line.startsWith('-A ') || !line.includes(containerId)) continue;
    const args = splitRule(line);
    rules.push(args);
    const jump = args.indexOf('-j');
    const target = jump >= 0 ? args[jump + 1] : undefined;
    if (target && PER_CONTAINER_CHAIN.test(target)) chains.add(target);
  }
  return { table, rules, chains: [...chains] };
}

export async function removeLeftoverRules(read: ReadCommand, run: RunCommand, containerId: string): Promise<number> {
  let removed = 0;
  for (const table of ['nat', 'filter']) {
    const listing = await read('iptables', ['-w', '-t', table, '-S']);
    const { rules, chains } = findLeftovers(table, listing, containerId);
    for (const rule of rules) {
      await run('iptables', ['-w', '-t', table, '-D', ...rule.slice(1)]).catch(() => undefined);
      removed++;
    }
    for (const chain of chains) {
      await run('iptables', ['-w', '-t', table, '-F', chain]).catch(() => undefined);
      await run('iptables', ['-w', '-t', table, '-X', chain]).catch(() => undefined);
    }
  }
  return removed;
}
