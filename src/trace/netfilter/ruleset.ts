import { expandXt } from './xt-text.js';

/**
 * The host's nftables ruleset as podctl reasons about it: `nft -j list ruleset` (structured)
 * plus `nft -a list ruleset` (text, one line per rule ending in `# handle N`). The text gives
 * each rule as a person reads it, and fills in what the JSON leaves as opaque `xt` matches and
 * targets (iptables-nft rules: addrtype, conntrack, multiport, MASQUERADE, DNAT, MARK).
 */
export type Expr = Record<string, unknown>;

export interface Rule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  expr: Expr[];
  /** The rule as `nft list ruleset` prints it, without counters and handle. */
  text: string;
  /** xt parts the text did not explain: the rule cannot be evaluated and is treated as not matching. */
  opaque: string[];
}

export interface Chain {
  family: string;
  table: string;
  name: string;
  /** Base chains only. */
  hook?: string;
  type?: string;
  prio?: number;
  policy?: 'accept' | 'drop';
  rules: Rule[];
}

export interface NamedSet {
  family: string;
  table: string;
  name: string;
  /** Elements as in the JSON: values, `{prefix}`, `{range}`, `{concat}`; for maps `[key, data]`. */
  elem: unknown[];
  isMap: boolean;
}

export interface Ruleset {
  chains: Map<string, Chain>;
  sets: Map<string, NamedSet>;
  /** Table keys (`family name`) whose comment or chains say iptables-nft manages them. */
  tables: Array<{ family: string; name: string }>;
}

export const chainKey = (family: string, table: string, chain: string): string => `${family} ${table} ${chain}`;

interface JsonChain {
  family: string;
  table: string;
  name: string;
  hook?: string;
  type?: string;
  prio?: number;
  policy?: string;
}

/** Parses the two listings; rules keep the order nft lists them in, which is evaluation order. */
export function parseRuleset(json: unknown, text: string): Ruleset {
  const items = ((json as { nftables?: unknown[] } | undefined)?.nftables ?? []) as Array<Record<string, unknown>>;
  const lines = ruleLines(text);
  const ruleset: Ruleset = { chains: new Map(), sets: new Map(), tables: [] };
  for (const item of items) {
    if (item.table) {
      const t = item.table as { family: string; name: string };
      ruleset.tables.push({ family: t.family, name: t.name });
    } else if (item.chain) {
      const c = item.chain as JsonChain;
      ruleset.chains.set(chainKey(c.family, c.table, c.name), {
        family: c.family,
        table: c.table,
        name: c.name,
        ...(c.hook ? { hook: c.hook, type: c.type, prio: c.prio ?? 0, policy: c.policy === 'drop' ? 'drop' : 'accept' } : {}),
        rules: [],
      });
    } else if (item.set || item.map) {
      const s = (item.set ?? item.map) as { family: string; table: string; name: string; elem?: unknown[] };
      ruleset.sets.set(chainKey(s.family, s.table, s.name), { family: s.family, table: s.table, name: s.name, elem: s.elem ?? [], isMap: Boolean(item.map) });
    } else if (item.rule) {
      const r = item.rule as { family: string; table: string; chain: string; handle: number; expr?: Expr[] };
      const key = chainKey(r.family, r.table, r.chain);
      const line = lines.get(`${key} ${r.handle}`) ?? '';
      const { expr, opaque } = expandXt(r.expr ?? [], line);
      ruleset.chains.get(key)?.rules.push({ family: r.family, table: r.table, chain: r.chain, handle: r.handle, expr, text: line, opaque });
    }
  }
  return ruleset;
}

/** `family table chain handle` → the rule's text with counters and the handle comment removed. */
export function ruleLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let table = '';
  let chain = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const t = /^table (\S+) (\S+) \{/.exec(line);
    if (t) {
      table = `${t[1]} ${t[2]}`;
      continue;
    }
    const c = /^chain (\S+) \{/.exec(line);
    if (c) {
      chain = c[1]!;
      continue;
    }
    if (/^(set|map|flowtable|counter|quota|limit|ct) \S+.*\{/.test(line)) {
      chain = ''; // a set or map block: its lines are no rules
      continue;
    }
    const h = /^(.*\S)\s+# handle (\d+)$/.exec(line);
    if (h && chain && !/^(type|policy) /.test(line)) out.set(`${table} ${chain} ${h[2]}`, tidyRule(h[1]!));
  }
  return out;
}

const tidyRule = (rule: string): string =>
  rule
    .replace(/\bcounter packets \d+ bytes \d+\s*/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/** The base chains of one hook that see IPv4 packets, in the order the kernel runs them. */
export function baseChains(ruleset: Ruleset, hook: string): Chain[] {
  return [...ruleset.chains.values()]
    .filter((c) => c.hook === hook && (c.family === 'ip' || c.family === 'inet'))
    .sort((a, b) => (a.prio ?? 0) - (b.prio ?? 0));
}

/** iptables-nft marks its tables with the DOCKER/CNI chains; Docker's own chains say who set a policy. */
export function isDockerTable(ruleset: Ruleset, family: string, table: string): boolean {
  return ruleset.chains.has(chainKey(family, table, 'DOCKER-USER')) || ruleset.chains.has(chainKey(family, table, 'DOCKER'));
}
