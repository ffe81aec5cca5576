import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeOnce, waitForProbes, type ProbeTarget } from './probe-wait.js';

const target = (exitCodes: number[]): ProbeTarget & { calls: string[][] } => {
  const calls: string[][] = [];
  return { container: 'app', calls, exec: async (command) => (calls.push(command), exitCodes.shift() ?? 0) };
};

test('an exec probe passes on exit code 0 and is retried until then', async () => {
  const t = target([1, 1, 0]);
  await waitForProbes('127.0.0.1', [{ ...t, readinessProbe: { exec: { command: ['true'] } } }], 2000);
  assert.equal(t.calls.length, 3);
});

test('startup runs before readiness, and a probe that never passes times out naming the container', async () => {
  // Startup passes, readiness never does: however slow the machine, each probe runs at least
  // once (poll tries before it looks at the clock), so the order and the timeout hold.
  const calls: string[][] = [];
  const t: ProbeTarget = { container: 'app', exec: async (command) => (calls.push(command), command[0] === 's' ? 0 : 1) };
  await assert.rejects(
    waitForProbes('127.0.0.1', [{ ...t, startupProbe: { exec: { command: ['s'] } }, readinessProbe: { exec: { command: ['r'] } } }], 300),
    (err: { code?: string; message?: string }) => err.code === 'TIMEOUT' && /readiness probe of container app/.test(err.message ?? ''),
  );
  assert.deepEqual(calls[0], ['s']);
  assert.deepEqual(calls[1], ['r']);
});

test('httpGet and tcpSocket probes go to the given IP', async (t) => {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/ok' ? 200 : 500;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const none = target([]);
  assert.equal(await probeOnce({ httpGet: { port, path: '/ok' } }, '127.0.0.1', none), true);
  assert.equal(await probeOnce({ httpGet: { port, path: '/bad' } }, '127.0.0.1', none), false);
  assert.equal(await probeOnce({ tcpSocket: { port } }, '127.0.0.1', none), true);
});
