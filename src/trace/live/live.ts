import { randomInt } from 'node:crypto';
import { PodctlError } from '../../util/errors.js';
import { runCommand } from '../../util/run-command.js';
import type { TraceResult } from '../types.js';
import { groupTraceLines, type TracedPacket } from './monitor-lines.js';
import { parseProbeOutput, probeCommand, type ProbeOutcome } from './probe.js';
import { deleteTraceTable, deleteTraceTableSync, staleTraceTables, traceTableName } from '../../netns/trace-tables.js';
import { addTraceTable, type ProbeTuple } from './trace-table.js';

export interface LiveTrace {
  tuple: ProbeTuple;
  probe: ProbeOutcome;
  /** Each traced packet of the probe's connection (original direction), with the rules it hit. */
  packets: TracedPacket[];
  /** `conntrack -L` for the probe: the original and reply tuples show any NAT. */
  conntrack: string[];
}

const MONITOR_TIMEOUT_MS = 5000;
/** How long one announcement of the trace table waits to be reported before it is redone. */
const MONITOR_ANNOUNCE_MS = 250;

/**
 * `--live`: sends one real probe along the traced path with nftables tracing on for exactly
 * its 5-tuple, and reads what the kernel reports. Only destinations on this host are probed.
 * The trace table is removed at the end, on SIGINT/SIGTERM, and by gc after a SIGKILL.
 */
export async function liveProbe(result: TraceResult, netns?: string): Promise<LiveTrace> {
  if (result.verdict.outcome === 'leaves-host') {
    throw new PodctlError('FAILED_PRECONDITION', `${result.packet.daddr} is not on this host: --live probes only pods and this host's addresses`, { hint: 'trace it without --live' });
  }
  const source = result.request.from;
  const tuple: ProbeTuple = { saddr: result.packet.saddr, daddr: result.packet.daddr, protocol: result.packet.protocol, sport: randomInt(42000, 60000), dport: result.packet.dport };
  const table = traceTableName();
  await Promise.all((await staleTraceTables()).map(deleteTraceTable));
  const { execa } = await import('execa');
  const monitor = execa('nft', ['monitor'], { reject: false, buffer: false });
  const lines: string[] = [];
  let seen = (_line: string): void => undefined;
  monitor.stdout?.setEncoding('utf8');
  let partial = '';
  monitor.stdout?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      seen(l);
    }
  });
  /** Whether the monitor printed a line with `needle` within `ms`. */
  const waitFor = (needle: string, ms = MONITOR_TIMEOUT_MS) =>
    new Promise<boolean>((resolve) => {
      if (lines.some((l) => l.includes(needle))) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      seen = (l) => {
        if (l.includes(needle)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
    });
  const onSignal = (signal: NodeJS.Signals) => {
    deleteTraceTableSync(table);
    monitor.kill();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // `nft monitor` subscribes some time after it starts, and says nothing when it has. It
    // reports the table's creation once it listens, and from then on the trace events too: a
    // creation it missed is redone until it reports one.
    let listening = false;
    for (let tries = 0; !listening && tries < MONITOR_TIMEOUT_MS / MONITOR_ANNOUNCE_MS; tries++) {
      if (tries > 0) await deleteTraceTable(table);
      const announced = waitFor(`add table ip ${table}`, MONITOR_ANNOUNCE_MS);
      await addTraceTable(table, tuple);
      listening = await announced;
    }
    if (!listening) throw new PodctlError('UNAVAILABLE', `nft monitor reported nothing within ${MONITOR_TIMEOUT_MS / 1000}s`, { hint: 'check that `nft monitor` runs here (root, nf_tables)' });
    const cmd = probeCommand(tuple, source.kind === 'pod' ? netns : undefined);
    const probe = parseProbeOutput((await runCommand(cmd.file, cmd.args, { timeoutMs: 10_000 })).stdout);
    const conntrack = await runCommand('conntrack', ['-L', '-p', tuple.protocol, '--orig-src', tuple.saddr, '--orig-port-src', String(tuple.sport)])
      .then((r) => r.stdout.split('\n').filter((l) => l.trim() && !l.startsWith('conntrack v')))
      .catch(() => []);
    const gone = waitFor(`delete table ip ${table}`);
    await deleteTraceTable(table);
    await gone;
    return { tuple, probe, packets: groupTraceLines(lines, table), conntrack };
  } finally {
    await deleteTraceTable(table);
    monitor.kill();
    await monitor.catch(() => undefined);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function renderLive(live: LiveTrace): string {
  const t = live.tuple;
  const out = [`live probe: ${t.protocol} ${t.saddr}:${t.sport} → ${t.daddr}:${t.dport}: ${live.probe.result} (${live.probe.detail})`];
  const [first, ...rest] = live.packets;
  if (!first) out.push('  no packet was traced (it never reached a netfilter hook of the host)');
  else {
    out.push(`  first packet (nft trace id ${first.id}): ${first.packet}`);
    for (const s of first.steps) out.push(`    ${s}`);
    if (rest.length) out.push(`  ${rest.length} more packet(s) of the connection traced (nft monitor trace shows them all)`);
  }
  out.push(live.conntrack.length ? `  conntrack: ${live.conntrack.join('\n             ')}` : '  conntrack: no entry (the connection was never confirmed: dropped before postrouting, or not tracked)');
  return out.join('\n') + '\n';
}
