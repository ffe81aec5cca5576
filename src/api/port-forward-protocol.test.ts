import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPodctlError } from '../util/errors.js';
import { chooseWebSocketTransport, forwardError, parsePort, parsePortsQuery, portPrefix, StreamPairs } from './port-forward-protocol.js';

const invalid = (fn: () => unknown) => assert.throws(fn, (err) => isPodctlError(err, 'INVALID_ARGUMENT'));

test('a WebSocket client gets the first transport it offers that is served: the SPDY tunnel or a channel protocol', () => {
  assert.deepEqual(chooseWebSocketTransport(['SPDY/3.1+portforward.k8s.io']), { kind: 'tunnel' });
  assert.equal((chooseWebSocketTransport(['v4.channel.k8s.io']) as { protocol: { name: string } }).protocol.name, 'v4.channel.k8s.io');
  assert.equal((chooseWebSocketTransport(['nope', 'v4.base64.channel.k8s.io']) as { protocol: { base64: boolean } }).protocol.base64, true);
  assert.equal((chooseWebSocketTransport([]) as { protocol: { name: string } }).protocol.name, 'channel.k8s.io');
  // v5's close-stream message is exec's; port-forward does not offer it.
  assert.equal(chooseWebSocketTransport(['v5.channel.k8s.io']), undefined);
});

test('ports: 1 to 65535, repeated or comma-separated in the query, at least one', () => {
  assert.deepEqual(parsePortsQuery(new URLSearchParams('ports=80&ports=443,8080')), [80, 443, 8080]);
  invalid(() => parsePortsQuery(new URLSearchParams('')));
  invalid(() => parsePort('0'));
  invalid(() => parsePort('65536'));
  invalid(() => parsePort('http'));
  invalid(() => parsePort(undefined));
});

test("each channel opens with the port as 2 bytes little-endian; the error text is the kubelet's", () => {
  assert.deepEqual(portPrefix(8080), Buffer.from([0x90, 0x1f]));
  assert.equal(forwardError(80, 'default/web', 'connection refused'), 'error forwarding port 80 to pod default/web: connection refused');
});

test('data and error streams pair by request id in either order; a repeated half is refused', () => {
  const pairs = new StreamPairs<string>();
  assert.equal(pairs.add('0', 80, 'error', 'e0'), undefined);
  assert.equal(pairs.add('1', 81, 'data', 'd1'), undefined);
  assert.equal(pairs.add('0', 80, 'error', 'again'), 'duplicate');
  assert.deepEqual(pairs.add('0', 80, 'data', 'd0'), { port: 80, data: 'd0', error: 'e0' });
  assert.deepEqual(pairs.values(), ['d1']);
  assert.equal(pairs.take('1'), 'd1');
  assert.deepEqual(pairs.values(), []);
});
