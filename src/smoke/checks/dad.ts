import type { AddressState } from '../host/net-probe.js';

/**
 * New IPv6 addresses go through duplicate address detection (about a second or two) before
 * the kernel uses them: a ping from or to a tentative address goes unanswered. `cni test`
 * waits, bounded, until the pod's addresses and the gateways on this host have left DAD, so
 * its verdict does not depend on how fast it runs.
 */
export const DAD_WAIT_MS = 5000;

export interface DadVerdict {
  /** Addresses still in DAD. */
  tentative: string[];
  /** Addresses DAD found duplicated: never usable. */
  failed: string[];
}

/** Where DAD stands for `wanted` (plain addresses) among the states `ip -j addr` reported. */
export function dadVerdict(states: AddressState[], wanted: Iterable<string>): DadVerdict {
  const want = new Set(wanted);
  const mine = states.filter((s) => want.has(s.address));
  return { tentative: mine.filter((s) => s.tentative && !s.dadFailed).map((s) => s.address), failed: mine.filter((s) => s.dadFailed).map((s) => s.address) };
}

export const dadSettled = (v: DadVerdict): boolean => v.tentative.length === 0;

/** The one-line problem, or undefined when every address is usable. */
export function dadProblem(v: DadVerdict, waitedMs: number): string | undefined {
  if (v.failed.length > 0) return `duplicate address detection failed for ${v.failed.join(', ')}: another host or pod uses it`;
  if (v.tentative.length > 0) return `${v.tentative.join(', ')} still in duplicate address detection after ${waitedMs} ms`;
  return undefined;
}
