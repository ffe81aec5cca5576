import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearerMatches, ensureCredentials, readClientCredentials } from './credentials.js';
import { certificateCovers } from './pki.js';

test('made on the first start (0600 in a 0700 directory), kept after; a new listen address gets a new serving certificate from the same CA', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pct-api-cred-'));
  try {
    const first = await ensureCredentials(dir, '127.0.0.1');
    assert.equal((await stat(join(dir, 'api'))).mode & 0o777, 0o700);
    for (const f of ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'token']) assert.equal((await stat(join(dir, 'api', f))).mode & 0o777, 0o600, f);
    assert.ok(certificateCovers(first.server.cert, ['127.0.0.1', 'localhost']));
    const again = await ensureCredentials(dir, '127.0.0.1');
    assert.deepEqual(again, first);
    const moved = await ensureCredentials(dir, '127.0.0.9');
    assert.equal(moved.ca.cert, first.ca.cert);
    assert.equal(moved.token, first.token);
    assert.notEqual(moved.server.cert, first.server.cert);
    assert.ok(certificateCovers(moved.server.cert, ['127.0.0.1', 'localhost', '127.0.0.9']));
    assert.deepEqual(await readClientCredentials(dir), { caCert: first.ca.cert, token: first.token });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('no credentials before the first start', async () => {
  assert.equal(await readClientCredentials('/nonexistent-podctl-state'), undefined);
});

test('the bearer token: exactly it, in an Authorization header of that scheme', () => {
  assert.ok(bearerMatches('Bearer abc', 'abc'));
  assert.ok(bearerMatches('bearer abc', 'abc'));
  assert.ok(!bearerMatches('Bearer abcd', 'abc'));
  assert.ok(!bearerMatches('Basic abc', 'abc'));
  assert.ok(!bearerMatches(undefined, 'abc'));
});
