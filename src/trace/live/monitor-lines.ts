/**
 * `nft monitor` lines of a trace: `trace id ID FAMILY TABLE CHAIN (packet: ...|rule ... (verdict X)|policy P|verdict V)`.
 * Packets of one flow can share a trace id, so a new packet starts where podctl's own trace
 * table (the first hook every probe packet meets) prints its `packet:` line. Counters and the
 * own table's lines are left out: what remains is each packet's path through the ruleset.
 */
export interface TracedPacket {
  id: string;
  /** The `packet:` line of the first hook: interfaces and headers as the host first saw them. */
  packet: string;
  steps: string[];
}

export function groupTraceLines(lines: string[], ownTable: string): TracedPacket[] {
  const packets: TracedPacket[] = [];
  let current: TracedPacket | undefined;
  for (const raw of lines) {
    const m = /^trace id (\S+) (\S+) (\S+) (\S+) (.*)$/.exec(raw.trim());
    if (!m) continue;
    const [, id, family, table, chain, rest] = m as unknown as [string, string, string, string, string, string];
    const isPacket = rest.startsWith('packet: ');
    if (table === ownTable) {
      if (isPacket) packets.push((current = { id, packet: rest.slice('packet: '.length).trim(), steps: [] }));
      continue;
    }
    if (!current || isPacket) continue;
    current.steps.push(`${family} ${table} ${chain}: ${rest.replace(/\bcounter packets \d+ bytes \d+\s*/g, '').replace(/\s+/g, ' ').trim()}`);
  }
  return packets;
}
