import { PodctlError, messageOf } from '../util/errors.js';

/**
 * Runs `fn` for each item in turn (`podctl stop a b c`, `podctl apply -f dir/`): every item is
 * tried, each failure gets its own line when there are several, and the command fails at the
 * end if any did.
 */
export async function forEachReported<T>(items: T[], label: (item: T) => string, fn: (item: T) => Promise<void>): Promise<void> {
  const failures: unknown[] = [];
  for (const item of items) {
    try {
      await fn(item);
    } catch (err) {
      failures.push(err);
      if (items.length > 1) process.stderr.write(`podctl: ${label(item)}: ${messageOf(err)}\n`);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new PodctlError('INTERNAL', `${failures.length} of ${items.length} pods failed`, { hint: 'see the lines above' });
}
