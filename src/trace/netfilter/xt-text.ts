import type { Expr } from './ruleset.js';

/**
 * iptables-nft stores some matches and targets as `xt` blobs that `nft -j` cannot describe,
 * while `nft list ruleset` prints their translation. For the ones CNI plugins and Docker use,
 * this turns the translation back into the JSON expressions nft would have given natively.
 * What it cannot explain stays in `opaque` (the evaluator treats such a rule as not matching).
 */
export function expandXt(exprs: Expr[], text: string): { expr: Expr[]; opaque: string[] } {
  const out: Expr[] = [];
  const opaque: string[] = [];
  for (const e of exprs) {
    const xt = e.xt as { type?: string; name?: string } | undefined;
    if (!xt) {
      out.push(e);
      continue;
    }
    const expanded = xt.type === 'target' ? xtTarget(xt.name ?? '', text) : xtMatch(xt.name ?? '', text);
    if (expanded === undefined) opaque.push(`xt ${xt.type} ${xt.name}`);
    else out.push(...expanded);
  }
  return { expr: out, opaque };
}

const payload = (protocol: string, field: string): Expr => ({ payload: { protocol, field } });
const match = (op: string, left: Expr, right: unknown): Expr => ({ match: { op, left, right } });
const num = (hex: string): number => Number.parseInt(hex, 16);

function xtMatch(name: string, text: string): Expr[] | undefined {
  switch (name) {
    case 'comment':
      return [];
    case 'addrtype': {
      const m = /fib (saddr|daddr)(?: \. iif)? type (!= )?(\w+)/.exec(text);
      return m ? [match(m[2] ? '!=' : '==', { fib: { result: 'type', flags: [m[1]] } }, m[3])] : undefined;
    }
    case 'conntrack':
    case 'state': {
      const m = /ct state (!= )?([\w,]+)/.exec(text);
      return m ? [match(m[1] ? '!=' : 'in', { ct: { key: 'state' } }, m[2]!.split(','))] : undefined;
    }
    case 'multiport': {
      const m = /(tcp|udp) dport (?:\{ ([\d, -]+) \}|(\d+))/.exec(text);
      if (!m) return undefined;
      const ports = m[3] ? Number(m[3]) : { set: m[2]!.split(',').map((p) => Number(p.trim())) };
      return [match('==', payload(m[1]!, 'dport'), ports)];
    }
    case 'mark': {
      const m = /mark (?:and|&) (0x[0-9a-f]+) (!=|==) (0x[0-9a-f]+)/.exec(text);
      return m ? [match(m[2]!, { '&': [{ meta: { key: 'mark' } }, num(m[1]!)] }, num(m[3]!))] : undefined;
    }
    default:
      return undefined;
  }
}

function xtTarget(name: string, text: string): Expr[] | undefined {
  switch (name) {
    case 'MASQUERADE':
      return [{ masquerade: null }];
    case 'REJECT':
      return [{ reject: null }];
    case 'DNAT': {
      const m = /dnat to ([\d.]+)(?::(\d+))?/.exec(text);
      return m ? [{ dnat: { addr: m[1], ...(m[2] ? { port: Number(m[2]) } : {}) } }] : undefined;
    }
    case 'SNAT': {
      const m = /snat to ([\d.]+)/.exec(text);
      return m ? [{ snat: { addr: m[1] } }] : undefined;
    }
    case 'MARK': {
      const op = /meta mark set mark (or|and|xor) (0x[0-9a-f]+)/.exec(text);
      if (op) return [{ mangle: { key: { meta: { key: 'mark' } }, value: { [{ or: '|', and: '&', xor: '^' }[op[1]!]!]: [{ meta: { key: 'mark' } }, num(op[2]!)] } } }];
      const set = /meta mark set (0x[0-9a-f]+)/.exec(text);
      return set ? [{ mangle: { key: { meta: { key: 'mark' } }, value: num(set[1]!) } }] : undefined;
    }
    default:
      return undefined;
  }
}
