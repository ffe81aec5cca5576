import { runCommand } from '../../util/run-command.js';

/**
 * The table of one `podctl trace --live` (named by src/netns/trace-tables.ts): two base
 * chains that set `meta nftrace` for the probe's own 5-tuple only, at priority -400 (before
 * conntrack and every other chain), so the probe's first packet is traced from its first hook.
 */
export interface ProbeTuple {
  saddr: string;
  daddr: string;
  protocol: 'tcp' | 'udp';
  sport: number;
  dport: number;
}

export function traceTableScript(name: string, t: ProbeTuple): string {
  const match = `ip saddr ${t.saddr} ip daddr ${t.daddr} ${t.protocol} sport ${t.sport} ${t.protocol} dport ${t.dport}`;
  return [
    `table ip ${name} {`,
    `  comment "podctl trace --live: traces one probe; removed when it ends (podctl gc removes it if podctl was killed)"`,
    `  chain pre { type filter hook prerouting priority -400; policy accept; ${match} meta nftrace set 1; }`,
    `  chain out { type filter hook output priority -400; policy accept; ${match} meta nftrace set 1; }`,
    `}`,
    '',
  ].join('\n');
}

export async function addTraceTable(name: string, t: ProbeTuple): Promise<void> {
  await runCommand('nft', ['-f', '-'], { input: traceTableScript(name, t) });
}
