import type { TraceRequest, TraceResult } from './types.js';

const endName = (e: TraceRequest['from'] | TraceRequest['to']): string =>
  e.kind === 'host' ? 'host' : e.kind === 'pod' ? `pod ${e.namespace}/${e.name}` : e.kind === 'service' ? `svc/${e.name} (${e.namespace})` : e.kind === 'ip' ? e.ip : `host:${e.port}`;

/** The trace for a terminal: one numbered line per hop, its rules indented, then the verdict. */
export function renderTrace(result: TraceResult): string {
  const { request: req, packet, hops, verdict } = result;
  const lines = [`trace ${packet.protocol} ${packet.saddr || '?'} → ${packet.daddr}:${packet.dport}  (${endName(req.from)} → ${endName(req.to)})`];
  const width = Math.max(...hops.map((h) => h.kind.length));
  hops.forEach((hop, i) => {
    const mark = hop.blocks ? '✗' : ' ';
    lines.push(`${String(i + 1).padStart(3)} ${mark} ${hop.kind.padEnd(width)}  ${hop.title}`);
    for (const d of hop.details) lines.push(`${' '.repeat(width + 8)}${d}`);
  });
  lines.push(verdict.outcome === 'arrives' ? `verdict: ${verdict.reason}` : `verdict: ${verdict.outcome} at ${verdict.at}: ${verdict.reason}`);
  if (verdict.fix) lines.push(`fix: ${verdict.fix}`);
  for (const alt of result.alternatives ?? []) {
    lines.push(`other endpoint ${alt.endpoint}: ${alt.verdict.outcome === 'arrives' ? alt.verdict.reason : `${alt.verdict.outcome} at ${alt.verdict.at}: ${alt.verdict.reason}`}`);
  }
  return lines.join('\n') + '\n';
}
