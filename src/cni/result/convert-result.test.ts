import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertResult, toCurrentResult } from './convert-result.js';
import { parseResult } from './parse-result.js';
import { isPodctlError } from '../../util/errors.js';
import type { CniResult } from './types.js';

const V02: CniResult = {
  cniVersion: '0.2.0',
  ip4: { ip: '10.0.10.2/24', gateway: '10.0.10.1', routes: [{ dst: '0.0.0.0/0' }, { dst: '1.1.1.1/32', gw: '10.0.10.1' }] },
  ip6: { ip: 'fd00::2/64', gateway: 'fd00::1', routes: [{ dst: '::/0' }] },
  dns: { nameservers: ['10.0.10.1'] },
};

const V1: CniResult = {
  cniVersion: '1.0.0',
  interfaces: [{ name: 'cni0', mac: '0a:58:0a:00:0a:01' }, { name: 'eth0', mac: '0a:58:0a:00:0a:02', sandbox: '/var/run/netns/x' }],
  ips: [
    { address: '10.0.10.2/24', gateway: '10.0.10.1', interface: 1 },
    { address: '10.0.20.2/24', interface: 1 },
    { address: 'fd00::2/64', gateway: 'fd00::1', interface: 1 },
  ],
  routes: [{ dst: '0.0.0.0/0', gw: '10.0.10.1' }, { dst: '::/0' }],
  dns: { nameservers: ['10.0.10.1'], search: ['svc.local'] },
};

test('0.2.0 up to 0.3.x/0.4.0 and 1.x: ip4/ip6 become ips, routes merge', () => {
  const ips = [
    { address: '10.0.10.2/24', gateway: '10.0.10.1' },
    { address: 'fd00::2/64', gateway: 'fd00::1' },
  ];
  const routes = [{ dst: '0.0.0.0/0' }, { dst: '1.1.1.1/32', gw: '10.0.10.1' }, { dst: '::/0' }];
  assert.deepEqual(convertResult(V02, '1.0.0'), { cniVersion: '1.0.0', ips, routes, dns: { nameservers: ['10.0.10.1'] } });
  assert.deepEqual(convertResult(V02, '0.4.0'), {
    cniVersion: '0.4.0',
    ips: [{ version: '4', ...ips[0] }, { version: '6', ...ips[1] }],
    routes,
    dns: { nameservers: ['10.0.10.1'] },
  });
  assert.equal(convertResult(V02, '0.3.1').cniVersion, '0.3.1');
  assert.deepEqual(convertResult({ cniVersion: '0.1.0', ip4: { ip: '10.0.0.2/8' } }, '1.1.0'), { cniVersion: '1.1.0', ips: [{ address: '10.0.0.2/8' }] });
});

test('1.x down to 0.4.0 adds ips[].version; back up removes it', () => {
  const v04 = convertResult(V1, '0.4.0');
  assert.deepEqual(v04, {
    cniVersion: '0.4.0',
    interfaces: V1.interfaces,
    ips: [
      { version: '4', address: '10.0.10.2/24', gateway: '10.0.10.1', interface: 1 },
      { version: '4', address: '10.0.20.2/24', interface: 1 },
      { version: '6', address: 'fd00::2/64', gateway: 'fd00::1', interface: 1 },
    ],
    routes: V1.routes,
    dns: V1.dns,
  });
  assert.deepEqual(convertResult(v04, '1.0.0'), V1, 'round trip');
  assert.deepEqual(convertResult(v04, '0.3.0'), { ...v04, cniVersion: '0.3.0' });
});

test('1.x down to 0.2.0 keeps the first IPv4 and IPv6 with their routes', () => {
  assert.deepEqual(convertResult(V1, '0.2.0'), {
    cniVersion: '0.2.0',
    ip4: { ip: '10.0.10.2/24', gateway: '10.0.10.1', routes: [{ dst: '0.0.0.0/0', gw: '10.0.10.1' }] },
    ip6: { ip: 'fd00::2/64', gateway: 'fd00::1', routes: [{ dst: '::/0' }] },
    dns: V1.dns,
  });
  assert.deepEqual(convertResult(convertResult(V02, '1.0.0'), '0.2.0'), V02, 'round trip');
  assert.equal(convertResult(V1, '0.1.0').cniVersion, '0.1.0');
});

test('down to 0.2.0 without any address fails clearly', () => {
  assert.throws(() => convertResult({ cniVersion: '1.0.0', interfaces: [{ name: 'eth0' }] }, '0.2.0'), (e: unknown) =>
    isPodctlError(e) && e.message === 'cannot convert CNI result 1.0.0 to 0.2.0: it has no IP address, and 0.2.0 results need one');
});

test('1.1.0 attributes survive 1.0.0 and are dropped below it', () => {
  const v11: CniResult = {
    cniVersion: '1.1.0',
    interfaces: [{ name: 'eth0', mtu: 1400, socketPath: '/s', pciID: '0000:00:01.0' }],
    ips: [{ address: '10.0.0.2/24', interface: 0 }],
    routes: [{ dst: '0.0.0.0/0', mtu: 1400, advmss: 1360, priority: 5, table: 100, scope: 0 }],
  };
  assert.deepEqual(convertResult(v11, '1.0.0'), { ...v11, cniVersion: '1.0.0' });
  const v04 = convertResult(v11, '0.4.0');
  assert.deepEqual(v04, { cniVersion: '0.4.0', interfaces: [{ name: 'eth0' }], ips: [{ version: '4', address: '10.0.0.2/24', interface: 0 }], routes: [{ dst: '0.0.0.0/0' }] });
  assert.equal(toCurrentResult(v11).cniVersion, '1.1.0');
  assert.equal(toCurrentResult(V02).cniVersion, '1.0.0');
  assert.equal(convertResult(V1, '1.0.0'), V1, 'same version: unchanged');
});

test('parseResult validates each version shape and fills a missing cniVersion', () => {
  assert.equal(parseResult({ ips: [] }, '0.4.0').cniVersion, '0.4.0');
  assert.deepEqual(parseResult(V1), V1);
  assert.deepEqual(parseResult(V02), V02);
  const bad: Array<[unknown, RegExp]> = [
    [null, /must be a JSON object/],
    [{ cniVersion: '9.9.9' }, /cniVersion: "9\.9\.9" is not a supported version/],
    [{}, /cniVersion: undefined is not a supported version/],
    [{ cniVersion: '0.2.0', ip4: { ip: 'fd00::2/64' } }, /ip4\.ip: "fd00::2\/64" is not an IPv4 CIDR/],
    [{ cniVersion: '0.2.0', ip4: { ip: '10.0.0.2/24', gateway: 'x' } }, /ip4\.gateway: "x" is not an IPv4 address/],
    [{ cniVersion: '0.4.0', ips: [{ version: '6', address: '10.0.0.2/24' }] }, /ips\[0\]\.version: "6" does not match address 10\.0\.0\.2\/24/],
    [{ cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24', gateway: 'fd00::1' }] }, /ips\[0\]\.gateway: "fd00::1" is not an IPv4 address/],
    [{ cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24', interface: -1 }] }, /ips\[0\]\.interface: -1 is not an index/],
    [{ cniVersion: '1.0.0', interfaces: [{ name: '' }] }, /interfaces\[0\]\.name: must be a non-empty string/],
    [{ cniVersion: '1.0.0', interfaces: [{ name: 'eth0', sandbox: 7 }] }, /interfaces\[0\]\.sandbox: must be a string/],
    [{ cniVersion: '1.0.0', routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.300' }] }, /routes\[0\]\.gw: "10\.0\.0\.300" is not an IPv4 address/],
    [{ cniVersion: '1.0.0', dns: { nameservers: [1] } }, /dns\.nameservers\[0\]: must be a string/],
    [{ cniVersion: '1.0.0', ips: {} }, /ips: must be a list/],
  ];
  for (const [value, message] of bad) {
    assert.throws(() => parseResult(value), (e: unknown) => isPodctlError(e, 'INVALID_ARGUMENT') && message.test(e.message), JSON.stringify(value));
  }
});
