import { invalidArgument } from '../util/errors.js';

/** A label selector as a predicate: what `-l` and `spec.selector` both become. */
export type LabelPredicate = (labels: Record<string, string>) => boolean;

interface Requirement {
  key: string;
  op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

const matches = (reqs: Requirement[]): LabelPredicate => (labels) =>
  reqs.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    if (r.op === 'Exists') return has;
    if (r.op === 'DoesNotExist') return !has;
    if (r.op === 'In') return has && r.values.includes(labels[r.key]!);
    return !has || !r.values.includes(labels[r.key]!);
  });

/** `spec.selector` (matchLabels and matchExpressions) as a predicate. */
export function selectorPredicate(selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }): LabelPredicate {
  const reqs: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, v]) => ({ key, op: 'In', values: [v] }));
  for (const e of selector.matchExpressions ?? []) reqs.push({ key: e.key, op: e.operator as Requirement['op'], values: e.values ?? [] });
  return matches(reqs);
}

/** kubectl's `-l` syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated. */
export function parseSelector(text: string): LabelPredicate {
  const reqs: Requirement[] = [];
  // Split on commas outside parentheses.
  const parts = text.split(/,(?![^(]*\))/).map((p) => p.trim()).filter(Boolean);
  for (const part of parts) {
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      reqs.push({ key: m[1]!, op: m[2] === 'in' ? 'In' : 'NotIn', values: m[3]!.split(',').map((v) => v.trim()) });
    } else if ((m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(part))) {
      reqs.push({ key: m[1]!, op: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]!] });
    } else if ((m = /^!\s*([^\s!=(),]+)$/.exec(part))) {
      reqs.push({ key: m[1]!, op: 'DoesNotExist', values: [] });
    } else if ((m = /^([^\s!=(),]+)$/.exec(part))) {
      reqs.push({ key: m[1]!, op: 'Exists', values: [] });
    } else {
      throw invalidArgument(`label selector "${text}" is not valid near "${part}"`, 'e.g. -l app=web,tier!=db or -l "env in (prod,staging)"');
    }
  }
  return matches(reqs);
}
