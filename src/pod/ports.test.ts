import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPodctlError } from '../util/errors.js';
import { assertDistinctHostPorts, parsePortMapping } from './ports.js';

test('parsePortMapping reads docker -p forms', () => {
  assert.deepEqual(parsePortMapping('8080:80'), { hostPort: 8080, containerPort: 80, protocol: 'tcp' });
  assert.deepEqual(parsePortMapping('127.0.0.1:8080:80/udp'), { hostPort: 8080, containerPort: 80, protocol: 'udp', hostIP: '127.0.0.1' });
  assert.deepEqual(parsePortMapping('[::1]:53:53/udp'), { hostPort: 53, containerPort: 53, protocol: 'udp', hostIP: '::1' });
  assert.deepEqual(parsePortMapping('0.0.0.0:1:65535/SCTP'), { hostPort: 1, containerPort: 65535, protocol: 'sctp' });
});

test('parsePortMapping rejects malformed specs with a usage error', () => {
  for (const bad of ['80', '0:80', '8080:70000', 'a:80', '8080:80/icmp', '1.2.3:8080:80', '8080:80:90:100', ':80', '8080:']) {
    assert.throws(() => parsePortMapping(bad), (err) => isPodctlError(err, 'INVALID_ARGUMENT') && err.message.startsWith(`-p ${bad}`), bad);
  }
});

test('a host address must be an IP address: ":" and friends are refused, brackets hold IPv6 only', () => {
  for (const bad of ['[:]:8080:80', '[::::]:8080:80', '[127.0.0.1]:8080:80', '[]:8080:80', '[1:2]:8080:80', '256.1.1.1:8080:80', '01.2.3.4:8080:80']) {
    assert.throws(() => parsePortMapping(bad), (err) => isPodctlError(err, 'INVALID_ARGUMENT') && err.message.startsWith(`-p ${bad}`), bad);
  }
  assert.deepEqual(parsePortMapping('[fd00::1]:8080:80'), { hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: 'fd00::1' });
});

test('a host port is mapped once per protocol', () => {
  assert.throws(() => assertDistinctHostPorts([parsePortMapping('8080:80'), parsePortMapping('127.0.0.1:8080:81')]));
  assertDistinctHostPorts([parsePortMapping('8080:80'), parsePortMapping('8080:80/udp')]);
});
