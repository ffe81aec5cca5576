import { PodctlError, messageOf } from '../util/errors.js';
import { POD_CONCURRENCY } from '../pod/spec.js';

/**
 * Runs `fn` for every item, up to `concurrency` at once. What each call returns is printed
 * in the items' order, whatever order they finish in; every item is tried, each failure
 * gets its own line when there are several, and the command fails at the end if any did.
 */
export async function forEachReported<T>(
  items: T[],
  label: (item: T) => string,
  fn: (item: T) => Promise<string | void>,
  concurrency = POD_CONCURRENCY,
  io: { out: Pick<NodeJS.WritableStream, 'write'>; err: Pick<NodeJS.WritableStream, 'write'> } = { out: process.stdout, err: process.stderr },
): Promise<void> {
  const outcomes: Array<{ ok: true; text: string } | { ok: false; error: unknown } | undefined> = new Array(items.length);
  let printed = 0;
  const flush = () => {
    for (let outcome = outcomes[printed]; outcome !== undefined; outcome = outcomes[printed]) {
      if (outcome.ok && outcome.text) io.out.write(outcome.text.endsWith('\n') ? outcome.text : outcome.text + '\n');
      if (!outcome.ok && items.length > 1) io.err.write(`podctl: ${label(items[printed]!)}: ${messageOf(outcome.error)}\n`);
      printed++;
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        outcomes[index] = { ok: true, text: (await fn(items[index]!)) ?? '' };
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  const failures = outcomes.filter((o) => o && !o.ok) as Array<{ ok: false; error: unknown }>;
  if (failures.length === 1) throw failures[0]!.error;
  if (failures.length > 1) throw new PodctlError('INTERNAL', `${failures.length} of ${items.length} pods failed`, { hint: 'see the lines above' });
}
