import { execFileSync } from 'node:child_process';
import { runCommand } from '../util/run-command.js';
import { processAlive } from '../util/process-alive.js';

/**
 * The nftables tables `podctl trace --live` adds while it probes: `ip podctl-trace-<pid>`.
 * The pid says whose a table is, so a table whose podctl is gone (SIGKILL) is known to be
 * garbage: `podctl gc` and the next live trace remove it. Nothing else of the ruleset is touched.
 */
export const TRACE_TABLE_PREFIX = 'podctl-trace-';

export const traceTableName = (pid = process.pid): string => `${TRACE_TABLE_PREFIX}${pid}`;

export async function deleteTraceTable(name: string): Promise<void> {
  await runCommand('nft', ['delete', 'table', 'ip', name]).catch(() => undefined);
}

/** For signal handlers: synchronous, the process is about to exit. */
export function deleteTraceTableSync(name: string): void {
  try {
    execFileSync('nft', ['delete', 'table', 'ip', name], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Trace tables whose podctl process is gone. */
export async function staleTraceTables(): Promise<string[]> {
  const out = await runCommand('nft', ['-j', 'list', 'tables']).catch(() => undefined);
  if (!out) return [];
  const items = (JSON.parse(out.stdout) as { nftables?: Array<{ table?: { family: string; name: string } }> }).nftables ?? [];
  return items
    .map((i) => i.table)
    .filter((t): t is { family: string; name: string } => t?.family === 'ip' && t.name.startsWith(TRACE_TABLE_PREFIX))
    .map((t) => t.name)
    .filter((name) => !processAlive(Number(name.slice(TRACE_TABLE_PREFIX.length))));
}

