/**
 * The part of kubectl's JSONPath that `wait --for=jsonpath=...` needs: `{.a.b}`, indexes
 * `[0]` and filters `[?(@.type=="Ready")]`, one value out. Pure.
 */
export function jsonPathValue(obj: unknown, path: string): unknown {
  let values: unknown[] = [obj];
  for (const step of parseJsonPath(path)) {
    values = values.flatMap((v) => {
      if (step.kind === 'field') return isRecord(v) && step.name in v ? [v[step.name]] : [];
      if (!Array.isArray(v)) return [];
      if (step.kind === 'index') return step.index < v.length ? [v[step.index]] : [];
      return v.filter((item) => isRecord(item) && String(item[step.field]) === step.equals);
    });
  }
  return values[0];
}

type Step = { kind: 'field'; name: string } | { kind: 'index'; index: number } | { kind: 'filter'; field: string; equals: string };

/** The steps of `{.a[0].b[?(@.c=="d")]}`; throws a one-line Error on anything else. */
export function parseJsonPath(path: string): Step[] {
  const m = /^\{(.*)\}$/.exec(path.trim());
  const body = m ? m[1]! : path.trim();
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_-]+)\s*==\s*["']([^"']*)["']\)\]/y;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const s = re.exec(body);
    if (!s) throw new Error(`jsonpath "${path}" is not one podctl reads (at "${body.slice(at)}"): use fields, [N] and [?(@.field=="value")]`);
    if (s[1] !== undefined) steps.push({ kind: 'field', name: s[1] });
    else if (s[2] !== undefined) steps.push({ kind: 'index', index: Number(s[2]) });
    else steps.push({ kind: 'filter', field: s[3]!, equals: s[4]! });
    at = re.lastIndex;
  }
  if (steps.length === 0) throw new Error(`jsonpath "${path}" names no field`);
  return steps;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
