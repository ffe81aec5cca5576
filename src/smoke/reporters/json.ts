import type { SmokeReport } from '../types.js';

/** `-o json`: the whole report, stable field names (see types.ts). */
export function renderJsonReport(report: SmokeReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
