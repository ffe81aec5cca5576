import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childLogger, type Logger, type LogLevel } from './logger.js';

test('childLogger adds its context to every message of a logger that has no child of its own', () => {
  const seen: Array<[LogLevel, string, Record<string, unknown> | undefined]> = [];
  const record = (at: LogLevel) => (message: string, meta?: Record<string, unknown>) => void seen.push([at, message, meta]);
  const base: Logger = { level: 'debug', enabled: () => true, error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
  const pod = childLogger(base, { pod: 'default/web' });
  pod.debug('step cni-add', { ms: 12 });
  childLogger(pod, { network: 'podctl' }).warn('slow');
  assert.deepEqual(seen, [
    ['debug', 'step cni-add', { pod: 'default/web', ms: 12 }],
    ['warn', 'slow', { pod: 'default/web', network: 'podctl' }],
  ]);
  assert.equal(pod.level, 'debug');
});
