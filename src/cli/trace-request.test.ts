import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceRequest } from './actions/trace.js';
import { isPodctlError } from '../util/errors.js';

test('FROM and TO: host, pods with and without a namespace, IPs, host:PORT; port 80 and tcp by default', () => {
  assert.deepEqual(parseTraceRequest('host', 'web', {}), { from: { kind: 'host' }, to: { kind: 'pod', namespace: 'default', name: 'web' }, protocol: 'tcp', port: 80 });
  assert.deepEqual(parseTraceRequest('shop/api', '10.99.0.7', { port: 8080, protocol: 'udp' }), {
    from: { kind: 'pod', namespace: 'shop', name: 'api' },
    to: { kind: 'ip', ip: '10.99.0.7' },
    protocol: 'udp',
    port: 8080,
  });
  assert.deepEqual(parseTraceRequest('web', 'host:30080', { namespace: 'x' }).to, { kind: 'host-port', port: 30080 });
  assert.deepEqual(parseTraceRequest('web', 'host:30080', { namespace: 'x' }).from, { kind: 'pod', namespace: 'x', name: 'web' });
  assert.deepEqual(parseTraceRequest('web', 'svc/shop/api', {}), { from: { kind: 'pod', namespace: 'default', name: 'web' }, to: { kind: 'service', namespace: 'shop', name: 'api' }, protocol: 'tcp', port: 0 });
});

test('bad FROM/TO/port: one INVALID_ARGUMENT each, with what to do', () => {
  for (const [from, to, flags] of [
    ['host', 'Bad_Name', {}],
    ['host', 'fe80::1', {}],
    ['host', 'host', {}],
    ['web', 'host:8080', { port: 80 }],
    ['web', 'host:0', {}],
    ['host', '127.0.0.1', {}],
    ['../x', 'web', {}],
  ] as const) {
    assert.throws(() => parseTraceRequest(from, to, flags), (err: unknown) => isPodctlError(err, 'INVALID_ARGUMENT'), `${from} ${to} ${JSON.stringify(flags)}`);
  }
});
