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
