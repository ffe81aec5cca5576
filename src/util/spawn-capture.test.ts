import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnCapture } from './spawn-capture.js';

test('input goes to stdin; stdout, stderr and the exit code come back', async () => {
  const r = await spawnCapture('sh', ['-c', 'cat; echo oops >&2; exit 3'], { input: 'hello', timeoutMs: 5000 });
  assert.deepEqual([r.exitCode, r.stdout, r.stderr, r.timedOut], [3, 'hello', 'oops\n', false]);
});

test('a child past its deadline is killed and says so', async () => {
  const r = await spawnCapture('sleep', ['5'], { timeoutMs: 100, killSignal: 'SIGKILL' });
  assert.deepEqual([r.exitCode, r.signal, r.timedOut], [undefined, 'SIGKILL', true]);
});

test('a program that cannot start is a spawn error, not an exit code', async () => {
  const r = await spawnCapture('/nonexistent/program', [], { timeoutMs: 1000 });
  assert.equal(r.exitCode, undefined);
  assert.equal(r.spawnError?.code, 'ENOENT');
});

test('the environment is exactly the one given', async () => {
  const r = await spawnCapture('/usr/bin/env', [], { env: { ONLY: 'this' }, timeoutMs: 5000 });
  assert.equal(r.stdout, 'ONLY=this\n');
});
