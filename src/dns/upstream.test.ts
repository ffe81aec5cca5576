import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodctlError } from '../util/errors.js';
import { chooseUpstreams, parseUpstreams } from './upstream.js';

test('$PODCTL_DNS_UPSTREAM wins: addresses with optional ports, IPv6 in brackets', () => {
  assert.deepEqual(parseUpstreams('192.0.2.53, 192.0.2.54:5353,[2001:db8::1]:53,2001:db8::2'), [
    { host: '192.0.2.53', port: 53 },
    { host: '192.0.2.54', port: 5353 },
    { host: '2001:db8::1', port: 53 },
    { host: '2001:db8::2', port: 53 },
  ]);
  assert.deepEqual(chooseUpstreams('127.0.0.1:5300', 'nameserver 192.0.2.1\n', undefined), [{ host: '127.0.0.1', port: 5300 }]);
});

test('bad $PODCTL_DNS_UPSTREAM is one clear error with an example', () => {
  for (const bad of ['dns.example', '192.0.2.1:0', '192.0.2.1:99999', '[::1']) {
    assert.throws(() => parseUpstreams(bad), (e: unknown) => e instanceof PodctlError && e.code === 'INVALID_ARGUMENT' && /PODCTL_DNS_UPSTREAM/.test(e.message));
  }
});

test("the host's resolv.conf servers; behind systemd-resolved's stub, the servers resolved uses", () => {
  assert.deepEqual(chooseUpstreams(undefined, 'search lan\nnameserver 192.0.2.1\nnameserver 192.0.2.2\n', undefined), [
    { host: '192.0.2.1', port: 53 },
    { host: '192.0.2.2', port: 53 },
  ]);
  const resolved = '# resolved\nnameserver 198.51.100.7\nnameserver 127.0.0.53\n';
  assert.deepEqual(chooseUpstreams(undefined, 'nameserver 127.0.0.53\noptions edns0 trust-ad\n', resolved), [{ host: '198.51.100.7', port: 53 }]);
  // A local resolver other than resolved's stub (dnsmasq) is reachable from the host: kept.
  assert.deepEqual(chooseUpstreams(undefined, 'nameserver 127.0.0.1\n', resolved), [{ host: '127.0.0.1', port: 53 }]);
  assert.deepEqual(chooseUpstreams(undefined, 'nameserver 127.0.0.53\n', undefined), []);
});
