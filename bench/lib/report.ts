import { round } from './stats.js';

export interface Target {
  name: string;
  value: number;
  /** "<=" or ">=" limit. */
  op: '<=' | '>=';
  limit: number;
  met: boolean;
  note?: string;
}

export function target(name: string, value: number, op: '<=' | '>=', limit: number, note?: string): Target {
  const met = Number.isFinite(value) && (op === '<=' ? value <= limit : value >= limit);
  return { name, value: round(value), op, limit, met, ...(note ? { note } : {}) };
}

export interface Row {
  what: string;
  value: string;
  memory?: string;
}

const pad = (cells: string[], widths: number[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [pad(headers, widths), ...rows.map((r) => pad(r, widths))].join('\n') + '\n';
}

export const ms = (value: number): string => `${Math.round(value)} ms`;
export const mb = (kb: number): string => (Number.isFinite(kb) && kb > 0 ? `${(kb / 1024).toFixed(0)} MB` : '');

/** The printed result: measurements, then each target with its verdict. */
export function renderReport(rows: Row[], targets: Target[]): string {
  const measured = table(['MEASUREMENT', 'VALUE', 'PEAK RSS (podctl)'], rows.map((r) => [r.what, r.value, r.memory ?? '']));
  const verdicts = table(
    ['TARGET', 'MEASURED', 'LIMIT', 'MET'],
    targets.map((t) => [t.name, String(t.value), `${t.op} ${t.limit}`, t.met ? 'yes' : `NO${t.note ? ` (${t.note})` : ''}`]),
  );
  return `${measured}\n${verdicts}`;
}
