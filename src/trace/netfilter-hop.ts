import { evaluateHook, type EvalContext, type HookResult, type Packet } from './netfilter/evaluate.js';
import { isDockerTable, type Ruleset } from './netfilter/ruleset.js';
import type { Hop } from './types.js';

/** One netfilter hook on the path as a hop: its verdict, the rules the packet hit, NAT. */
export function netfilterHop(ruleset: Ruleset, hook: string, packet: Packet, ctx: EvalContext): { hop: Hop; result: HookResult } {
  const result = evaluateHook(ruleset, hook, packet, ctx);
  const where = `${packet.iif ?? '-'} → ${packet.oif ?? '-'}`;
  const details = result.hits.map((h) => `${h.family} ${h.table} ${h.chain}: ${h.text || h.action}${h.text.endsWith(h.action) ? '' : `  (${h.action})`}`);
  for (const c of result.choices) details.push(`${c.rule.chain}: picks one of ${c.candidates.length}: ${c.candidates.join(', ')}`);
  for (const u of result.unreadable) details.push(`could not read (treated as not matching): ${u}`);
  const nat = result.nat.map((n) => (n.kind === 'masquerade' ? 'masquerade' : `${n.kind} to ${n.addr ?? ''}${n.port ? `:${n.port}` : ''}`));
  let title: string;
  if (result.verdict === 'accept') {
    title = `${hook} (${where}): accept${nat.length ? `, ${nat.join(', ')}` : ''}${result.hits.length === 0 ? ' (no rule matched)' : ''}`;
  } else {
    const by = result.decidedBy!;
    const chain = `${by.chain.family} ${by.chain.table} ${by.chain.name}`;
    title = by.policy
      ? `${hook} (${where}): ${result.verdict.toUpperCase()} by the policy of ${chain}${isDockerTable(ruleset, by.chain.family, by.chain.table) ? ' (set by Docker)' : ''}`
      : `${hook} (${where}): ${result.verdict.toUpperCase()} by ${chain}: ${by.rule?.text ?? result.verdict}`;
  }
  return {
    hop: {
      kind: 'netfilter',
      title,
      details,
      ...(result.verdict === 'accept' ? {} : { blocks: true }),
      facts: { hook, verdict: result.verdict, ...(packet.iif ? { iif: packet.iif } : {}), ...(packet.oif ? { oif: packet.oif } : {}), ...(nat.length ? { nat: nat.join(', ') } : {}) },
    },
    result,
  };
}

/** Why a hook stopped the packet, and what to do, for the verdict line. */
export function blockedBecause(ruleset: Ruleset, result: HookResult, packet: Packet, network: string | undefined): { reason: string; fix: string } {
  const by = result.decidedBy!;
  const chain = `${by.chain.family} ${by.chain.table} ${by.chain.name}`;
  const flow = `${packet.saddr} → ${packet.daddr} ${packet.protocol}/${packet.dport}`;
  if (by.policy && result.hook === 'forward' && isDockerTable(ruleset, by.chain.family, by.chain.table)) {
    const ifs = `-i ${packet.iif ?? 'IN'} -o ${packet.oif ?? 'OUT'}`;
    return {
      reason: `FORWARD policy DROP (set by Docker): no rule of ${chain} accepts ${packet.iif} → ${packet.oif} for ${flow}`,
      fix: `chain the firewall plugin in network ${network ?? 'of the pod'} (its CNI-FORWARD chain accepts pod traffic), or allow it in DOCKER-USER: iptables -I DOCKER-USER ${ifs} -j ACCEPT`,
    };
  }
  if (by.policy) {
    return { reason: `the ${result.hook} policy of ${chain} is ${result.verdict} and no rule accepts ${flow}`, fix: `add a rule that accepts it before the policy applies (${chain})` };
  }
  return {
    reason: `rule of ${chain} ${result.verdict === 'reject' ? 'rejects' : 'drops'} ${flow}: ${by.rule?.text ?? result.verdict}`,
    fix: `remove or narrow that rule (nft -a list chain ${by.chain.family} ${by.chain.table} ${by.chain.name} shows its handle${by.rule ? ` ${by.rule.handle}` : ''})`,
  };
}
