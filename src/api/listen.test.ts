import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPodctlError } from '../util/errors.js';
import { clientHost, isLoopback, parseListenAddress } from './listen.js';

test('listen addresses: IPv4 and bracketed IPv6 with a port; anything else refused', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:6443'), { host: '127.0.0.1', port: 6443 });
  assert.deepEqual(parseListenAddress('[::1]:7443'), { host: '::1', port: 7443 });
  for (const bad of ['localhost:6443', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', ':6443', '10.0.0.1:x']) {
    assert.throws(() => parseListenAddress(bad), (err) => isPodctlError(err, 'INVALID_ARGUMENT'), bad);
  }
});

test('loopback, and the address a local client dials', () => {
  assert.ok(isLoopback('127.0.0.1') && isLoopback('127.5.0.1') && isLoopback('::1'));
  assert.ok(!isLoopback('0.0.0.0') && !isLoopback('10.0.0.1'));
  assert.equal(clientHost('0.0.0.0'), '127.0.0.1');
  assert.equal(clientHost('::'), '[::1]');
  assert.equal(clientHost('10.0.0.1'), '10.0.0.1');
});
