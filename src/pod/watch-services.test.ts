import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { watchServices } from './watch-services.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

test('an abort that comes during the first sync ends the watch (serve stopped right after it was ready)', { timeout: 2000 }, async () => {
  const abort = new AbortController();
  const stream = new PassThrough();
  const services = { sync: async () => abort.abort() };
  await watchServices({ events: async () => stream } as never, services as never, quiet as never, abort.signal);
  assert.ok(stream.destroyed, 'the event stream is closed');
});
