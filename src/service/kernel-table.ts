import { createHash } from 'node:crypto';
import type { RunProgram } from '../util/run-command.js';
import { FAMILY, TABLE } from './rules.js';

/**
 * The Services table as the kernel holds it now, as a digest of `nft list table` (no counters
 * in it, so it changes only when the rules do), or undefined when there is no such table. A
 * sync records it after writing, and serve compares: someone who deleted or edited the table
 * (a restart of the host's nftables service) is noticed without rewriting it every time.
 */
/** Recorded for a table that was gone already when the sync that wrote it looked: no digest equals it. */
export const TABLE_GONE = 'gone';

export async function kernelTableDigest(exec: RunProgram): Promise<string | undefined> {
  const r = await exec('nft', ['list', 'table', FAMILY, TABLE]);
  if (r.exitCode !== 0) return undefined;
  return createHash('sha256').update(r.stdout).digest('hex');
}
