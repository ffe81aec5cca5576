import { cidrContains } from '../../util/cidr.js';
import { baseChains, chainKey, type Chain, type Expr, type Rule, type Ruleset } from './ruleset.js';

/**
 * Runs one packet through the base chains of one netfilter hook, as the kernel would for the
 * first packet of a connection (conntrack state `new`). It covers what pod networking uses:
 * interface names, addresses and prefixes, ports, protocols, ct state, fib address types,
 * marks, named sets and verdict maps (also concatenations), numgen, jump/goto/return,
 * accept/drop/reject, DNAT/SNAT/masquerade. A rule with a part it cannot read does not match,
 * and says so.
 */
export interface Packet {
  saddr: string;
  daddr: string;
  protocol: 'tcp' | 'udp';
  sport: number;
  dport: number;
  iif?: string;
  oif?: string;
  mark: number;
}

export interface EvalContext {
  /** Addresses of this host (for `fib daddr type local`). */
  localAddresses: Set<string>;
  /** Which candidate a `numgen` map picks (default 0): callers walk every candidate. */
  choose?: (rule: Rule, candidates: string[]) => number;
}

export interface RuleHit {
  chain: string;
  table: string;
  family: string;
  handle: number;
  text: string;
  /** What the hit did: `jump X`, `accept`, `dnat to A:P`, `mark`, ... */
  action: string;
}

export interface NatChange {
  kind: 'dnat' | 'snat' | 'masquerade';
  addr?: string;
  port?: number;
  rule: RuleHit;
}

export interface Choice {
  rule: RuleHit;
  candidates: string[];
  chosen: number;
}

export interface HookResult {
  hook: string;
  verdict: 'accept' | 'drop' | 'reject';
  /** The rule or chain policy that decided a drop or reject. */
  decidedBy?: { chain: Chain; rule?: Rule; policy: boolean };
  hits: RuleHit[];
  nat: NatChange[];
  choices: Choice[];
  /** Rules that could not be read (opaque xt parts), by text. */
  unreadable: string[];
  /** The packet after the hook (DNAT, marks). */
  packet: Packet;
}

type Flow = { kind: 'continue' } | { kind: 'return' } | { kind: 'verdict'; verdict: 'accept' | 'drop' | 'reject'; rule?: Rule; chain: Chain };

export function evaluateHook(ruleset: Ruleset, hook: string, input: Packet, ctx: EvalContext): HookResult {
  const result: HookResult = { hook, verdict: 'accept', hits: [], nat: [], choices: [], unreadable: [], packet: { ...input } };
  let natDone = false;
  for (const chain of baseChains(ruleset, hook)) {
    // Once one nat chain has bound the connection, the others of the hook no longer run.
    if (chain.type === 'nat' && natDone) continue;
    const natBefore = result.nat.length;
    const flow = runChain(ruleset, chain, result, ctx, 0);
    if (result.nat.length > natBefore) natDone = true;
    if (flow.kind === 'verdict' && flow.verdict !== 'accept') {
      result.verdict = flow.verdict;
      result.decidedBy = { chain: flow.chain, ...(flow.rule ? { rule: flow.rule } : {}), policy: false };
      return result;
    }
    if (flow.kind !== 'verdict' && chain.policy === 'drop') {
      result.verdict = 'drop';
      result.decidedBy = { chain, policy: true };
      return result;
    }
  }
  return result;
}

function runChain(ruleset: Ruleset, chain: Chain, state: HookResult, ctx: EvalContext, depth: number): Flow {
  if (depth > 32) return { kind: 'return' };
  for (const rule of chain.rules) {
    const flow = runRule(ruleset, chain, rule, state, ctx, depth);
    if (flow.kind !== 'continue') return flow;
  }
  return { kind: 'return' };
}

const hitOf = (rule: Rule, action: string): RuleHit => ({ chain: rule.chain, table: rule.table, family: rule.family, handle: rule.handle, text: rule.text, action });

function runRule(ruleset: Ruleset, chain: Chain, rule: Rule, state: HookResult, ctx: EvalContext, depth: number): Flow {
  if (rule.opaque.length > 0) {
    state.unreadable.push(`${rule.table} ${rule.chain}: ${rule.text || rule.opaque.join(', ')}`);
    return { kind: 'continue' };
  }
  const pkt = state.packet;
  for (const e of rule.expr) {
    const [kind, body] = Object.entries(e)[0] ?? ['', undefined];
    switch (kind) {
      case 'match': {
        const m = body as { op: string; left: Expr; right: unknown };
        if (!compare(m.op, valueOf(m.left, pkt, ctx), m.right, ruleset, rule)) return { kind: 'continue' };
        break;
      }
      case 'accept':
      case 'drop':
        state.hits.push(hitOf(rule, kind));
        return { kind: 'verdict', verdict: kind, rule, chain };
      case 'reject':
        state.hits.push(hitOf(rule, 'reject'));
        return { kind: 'verdict', verdict: 'reject', rule, chain };
      case 'return':
        state.hits.push(hitOf(rule, 'return'));
        return { kind: 'return' };
      case 'jump':
      case 'goto': {
        const target = (body as { target: string }).target;
        const flow = enter(ruleset, rule, kind, target, state, ctx, depth);
        if (flow.kind === 'verdict') return flow;
        if (kind === 'goto') return { kind: 'return' };
        return { kind: 'continue' };
      }
      case 'vmap': {
        const v = body as { key: Expr; data: unknown };
        const verdict = lookupVerdict(ruleset, rule, v, pkt, ctx, state);
        if (!verdict) return { kind: 'continue' };
        const [vk, vb] = Object.entries(verdict)[0]!;
        if (vk === 'jump' || vk === 'goto') {
          const flow = enter(ruleset, rule, vk, (vb as { target: string }).target, state, ctx, depth);
          if (flow.kind === 'verdict') return flow;
          return vk === 'goto' ? { kind: 'return' } : { kind: 'continue' };
        }
        if (vk === 'accept' || vk === 'drop') {
          state.hits.push(hitOf(rule, vk));
          return { kind: 'verdict', verdict: vk, rule, chain };
        }
        if (vk === 'return') return { kind: 'return' };
        return { kind: 'continue' };
      }
      case 'mangle': {
        const m = body as { key: Expr; value: unknown };
        if ((m.key.meta as { key?: string } | undefined)?.key === 'mark') {
          pkt.mark = Number(valueOf(m.value as Expr, pkt, ctx) ?? pkt.mark) >>> 0;
          state.hits.push(hitOf(rule, `mark set 0x${pkt.mark.toString(16)}`));
        }
        break;
      }
      case 'dnat':
      case 'snat': {
        const n = body as { addr?: string; port?: number };
        const hit = hitOf(rule, `${kind} to ${n.addr ?? ''}${n.port ? `:${n.port}` : ''}`);
        state.hits.push(hit);
        state.nat.push({ kind, ...(n.addr ? { addr: n.addr } : {}), ...(n.port ? { port: n.port } : {}), rule: hit });
        if (kind === 'dnat') {
          if (n.addr) pkt.daddr = n.addr;
          if (n.port) pkt.dport = n.port;
        }
        return { kind: 'verdict', verdict: 'accept', rule, chain };
      }
      case 'masquerade': {
        const hit = hitOf(rule, 'masquerade');
        state.hits.push(hit);
        state.nat.push({ kind: 'masquerade', rule: hit });
        return { kind: 'verdict', verdict: 'accept', rule, chain };
      }
      default:
        // counter, log, limit, notrack, comment: no effect on the path.
        break;
    }
  }
  return { kind: 'continue' };
}

function enter(ruleset: Ruleset, rule: Rule, how: 'jump' | 'goto', target: string, state: HookResult, ctx: EvalContext, depth: number): Flow {
  state.hits.push(hitOf(rule, `${how} ${target}`));
  const next = ruleset.chains.get(chainKey(rule.family, rule.table, target));
  if (!next) return { kind: 'return' };
  return runChain(ruleset, next, state, ctx, depth + 1);
}

function lookupVerdict(ruleset: Ruleset, rule: Rule, v: { key: Expr; data: unknown }, pkt: Packet, ctx: EvalContext, state: HookResult): Record<string, unknown> | undefined {
  const numgen = v.key.numgen as { mod?: number } | undefined;
  const entries = mapEntries(ruleset, rule, v.data);
  if (numgen) {
    const candidates = entries.map(([, verdict]) => verdictText(verdict));
    const chosen = Math.min(ctx.choose?.(rule, candidates) ?? 0, Math.max(0, entries.length - 1));
    state.choices.push({ rule: hitOf(rule, 'numgen'), candidates, chosen });
    return entries[chosen]?.[1];
  }
  const key = valueOf(v.key, pkt, ctx);
  const found = entries.find(([k]) => elementMatches(k, key));
  return found?.[1];
}

const verdictText = (verdict: Record<string, unknown>): string => {
  const [k, b] = Object.entries(verdict)[0] ?? ['', undefined];
  return (b as { target?: string } | null)?.target ?? k;
};

function mapEntries(ruleset: Ruleset, rule: Rule, data: unknown): Array<[unknown, Record<string, unknown>]> {
  if (typeof data === 'string' && data.startsWith('@')) {
    const set = ruleset.sets.get(chainKey(rule.family, rule.table, data.slice(1)));
    return (set?.elem ?? []) as Array<[unknown, Record<string, unknown>]>;
  }
  return (((data as { set?: unknown[] } | undefined)?.set ?? []) as Array<[unknown, Record<string, unknown>]>);
}

type Value = string | number | undefined | Value[];

function valueOf(e: Expr | unknown, pkt: Packet, ctx: EvalContext): Value {
  if (typeof e === 'string' || typeof e === 'number') return e;
  if (!e || typeof e !== 'object') return undefined;
  const ex = e as Expr;
  if (ex.meta) {
    const key = (ex.meta as { key: string }).key;
    if (key === 'iifname') return pkt.iif;
    if (key === 'oifname') return pkt.oif;
    if (key === 'l4proto' || key === 'protocol') return key === 'l4proto' ? pkt.protocol : 'ip';
    if (key === 'mark') return pkt.mark;
    if (key === 'nfproto') return 'ipv4';
    return undefined;
  }
  if (ex.payload) {
    const { protocol, field } = ex.payload as { protocol: string; field: string };
    if (protocol === 'ip' && field === 'saddr') return pkt.saddr;
    if (protocol === 'ip' && field === 'daddr') return pkt.daddr;
    if (protocol === 'ip' && field === 'protocol') return pkt.protocol;
    if (protocol === pkt.protocol || protocol === 'th') return field === 'dport' ? pkt.dport : field === 'sport' ? pkt.sport : undefined;
    return undefined; // another protocol's header: no such field on this packet
  }
  if (ex.ct) {
    const key = (ex.ct as { key: string }).key;
    return key === 'state' ? 'new' : undefined;
  }
  if (ex.fib) {
    const flags = (ex.fib as { flags?: string[] }).flags ?? [];
    const addr = flags.includes('saddr') ? pkt.saddr : pkt.daddr;
    return ctx.localAddresses.has(addr) || cidrContains('127.0.0.0/8', addr) ? 'local' : 'unicast';
  }
  if (ex.concat) return (ex.concat as unknown[]).map((x) => valueOf(x, pkt, ctx));
  for (const op of ['&', '|', '^']) {
    if (ex[op]) {
      const [a, b] = (ex[op] as unknown[]).map((x) => Number(valueOf(x, pkt, ctx)));
      return (op === '&' ? a! & b! : op === '|' ? a! | b! : a! ^ b!) >>> 0;
    }
  }
  return undefined;
}

function compare(op: string, left: Value, right: unknown, ruleset: Ruleset, rule: Rule): boolean {
  if (left === undefined) return op === '!=';
  let hit: boolean;
  if (typeof right === 'string' && right.startsWith('@')) {
    const set = ruleset.sets.get(chainKey(rule.family, rule.table, right.slice(1)));
    hit = (set?.elem ?? []).some((el) => elementMatches(set?.isMap ? (el as unknown[])[0] : el, left));
  } else if (Array.isArray(right)) {
    hit = right.some((r) => elementMatches(r, left));
  } else if (right && typeof right === 'object' && 'set' in (right as object)) {
    hit = ((right as { set: unknown[] }).set ?? []).some((r) => elementMatches(r, left));
  } else {
    hit = elementMatches(right, left);
  }
  return op === '!=' ? !hit : hit;
}

/** Whether a set element or match operand (value, prefix, range, concat, wildcard name) covers a value. */
function elementMatches(element: unknown, value: Value): boolean {
  if (element && typeof element === 'object' && !Array.isArray(element)) {
    const el = element as Record<string, unknown>;
    if (el.prefix) {
      const p = el.prefix as { addr: string; len: number };
      return typeof value === 'string' && cidrContains(`${p.addr}/${p.len}`, value);
    }
    if (el.range) {
      const [lo, hi] = el.range as [number, number];
      return typeof value === 'number' && value >= lo && value <= hi;
    }
    if (el.concat) {
      const parts = el.concat as unknown[];
      return Array.isArray(value) && parts.length === value.length && parts.every((p, i) => elementMatches(p, value[i]));
    }
    if (el.elem) return elementMatches((el.elem as { val: unknown }).val, value);
    return false;
  }
  if (typeof element === 'string' && typeof value === 'string') {
    if (element.endsWith('*') && !element.endsWith('\\*')) return value.startsWith(element.slice(0, -1));
    return element === value;
  }
  return element === value;
}
