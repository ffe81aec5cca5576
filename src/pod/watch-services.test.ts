import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { dockerEventSource, watchServices } from './watch-services.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

test('an abort that comes during the first sync ends the watch (serve stopped right after it was ready)', { timeout: 2000 }, async () => {
  const abort = new AbortController();
  const stream = new PassThrough();
  const services = { sync: async () => abort.abort() };
  await watchServices(dockerEventSource({ events: async () => stream } as never), services as never, quiet as never, abort.signal);
  assert.ok(stream.destroyed, 'the event stream is closed');
});

test('events of a given source are coalesced into one sync per burst', { timeout: 2000 }, async () => {
  const abort = new AbortController();
  const syncs: number[] = [];
  const services = { sync: async () => undefined };
  await watchServices(
    async (onLine, signal) => {
      for (let i = 0; i < 3; i++) onLine('{}');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
    services as never,
    quiet as never,
    abort.signal,
    (events) => {
      syncs.push(events);
      if (events > 0) abort.abort();
    },
    10,
  );
  assert.deepEqual(syncs, [0, 3]);
});

test('an event that comes during the first sync is synced after it, not lost (serve starting while pods change)', { timeout: 2000 }, async () => {
  const abort = new AbortController();
  const syncs: string[] = [];
  let emit: (line: string) => void = () => undefined;
  let endFirst: () => void = () => undefined;
  const services = {
    sync: (options?: { force?: boolean }) => {
      syncs.push(options?.force ? 'forced' : 'after events');
      // The first sync lasts until the test lets it end, an event having come meanwhile.
      return options?.force ? new Promise<void>((resolve) => (endFirst = resolve)) : Promise.resolve();
    },
  };
  const watching = watchServices(
    async (onLine, signal) => {
      emit = onLine;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
    services as never,
    quiet as never,
    abort.signal,
    (events) => {
      if (events > 0) abort.abort();
    },
    10,
  );
  await new Promise((r) => setTimeout(r, 5));
  emit('{}');
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(syncs, ['forced'], 'no sync runs alongside the first');
  endFirst();
  await watching;
  assert.deepEqual(syncs, ['forced', 'after events']);
});

test('a first sync that fails ends the watch with its error and closes the stream', { timeout: 2000 }, async () => {
  let closed = false;
  const services = { sync: async () => Promise.reject(new Error('nft is gone')) };
  await assert.rejects(
    watchServices(
      async (_onLine, signal) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        closed = true;
      },
      services as never,
      quiet as never,
      new AbortController().signal,
    ),
    /nft is gone/,
  );
  assert.ok(closed, 'the event source was told to stop');
});
