import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodctlError } from '../util/errors.js';
import { forEachReported } from './each.js';

/** Runs forEachReported with its output captured. */
async function captured<T>(items: T[], fn: (item: T) => Promise<string | void>, concurrency?: number): Promise<{ out: string; err: string; error?: unknown }> {
  const seen = { out: '', err: '' };
  const io = { out: { write: (s: string) => ((seen.out += s), true) }, err: { write: (s: string) => ((seen.err += s), true) } };
  try {
    await forEachReported(items, String, fn, concurrency, io);
    return seen;
  } catch (error) {
    return { ...seen, error };
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('results print in input order whatever order they finish in, up to the concurrency at once', async () => {
  let running = 0;
  let most = 0;
  const { out, error } = await captured(['a', 'b', 'c', 'd'], async (x) => {
    running++;
    most = Math.max(most, running);
    await wait(x === 'a' ? 30 : 1);
    running--;
    return `${x} done`;
  }, 2);
  assert.equal(error, undefined);
  assert.equal(out, 'a done\nb done\nc done\nd done\n');
  assert.equal(most, 2);
});

test('every item is tried; one failure is rethrown as it is, several become one summary', async () => {
  const one = await captured(['a', 'b'], async (x) => {
    if (x === 'a') throw new PodctlError('NOT_FOUND', 'pod a not found');
    return 'b';
  });
  assert.equal(one.out, 'b\n');
  assert.match(one.err, /podctl: a: pod a not found/);
  assert.ok(one.error instanceof PodctlError && one.error.code === 'NOT_FOUND');

  const two = await captured(['a', 'b', 'c'], async (x) => {
    if (x !== 'b') throw new Error(`${x} broke`);
  });
  assert.equal(two.out, '');
  assert.match(two.err, /a: a broke[\s\S]*c: c broke/);
  assert.match(String((two.error as Error).message), /2 of 3 pods failed/);
});

test('a single item reports its error once: by the caller, not as a line of its own', async () => {
  const r = await captured(['a'], async () => {
    throw new Error('nope');
  });
  assert.equal(r.err, '');
  assert.match(String((r.error as Error).message), /nope/);
});
