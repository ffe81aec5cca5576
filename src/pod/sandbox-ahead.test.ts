import { test } from 'node:test';
import assert from 'node:assert/strict';
import { specFromRunOptions } from './run-options.js';
import { sandboxKey } from './sandbox-ahead.js';

const defaults = { network: 'net', pauseImage: 'pause:1', session: 's1' };

test('pods of the same options share a sandbox shape, whatever their generated names and images', () => {
  const a = specFromRunOptions({ image: 'nginx:latest' }, defaults);
  const b = specFromRunOptions({ image: 'nginx:latest' }, defaults);
  const c = specFromRunOptions({ image: 'busybox:latest', args: ['sleep', '1'] }, defaults);
  assert.notEqual(a.name, b.name);
  assert.equal(sandboxKey(a), sandboxKey(b));
  assert.equal(sandboxKey(a), sandboxKey(c));
});

test('what shapes the sandbox changes the key', () => {
  const base = sandboxKey(specFromRunOptions({ image: 'nginx' }, defaults));
  for (const options of [
    { image: 'nginx', namespace: 'other' },
    { image: 'nginx', hostname: 'web' },
    { image: 'nginx', labels: { tier: 'front' } },
    { image: 'nginx', dns: { servers: ['10.0.0.10'] } },
    { image: 'nginx', hostAliases: [{ ip: '10.0.0.1', hostnames: ['db'] }] },
    { image: 'nginx', networks: ['net', 'second'] },
  ]) {
    assert.notEqual(sandboxKey(specFromRunOptions(options, defaults)), base, JSON.stringify(options));
  }
  assert.notEqual(sandboxKey(specFromRunOptions({ image: 'nginx' }, { ...defaults, session: 's2' })), base);
});
