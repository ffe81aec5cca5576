import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipamRanges, ownDevices, subnetProblems } from './subnets.js';

const net = (ipam: object, extra: object = {}) => ({ name: 'n', plugins: [{ type: 'bridge', bridge: 'br-x', ...extra, ipam: { type: 'host-local', ...ipam } }] });

test('ipamRanges finds top-level subnets and ranges, with where they are', () => {
  const ranges = ipamRanges(net({ subnet: '10.1.0.0/24', ranges: [[{ subnet: '10.2.0.0/24', gateway: '10.2.0.1' }]] }));
  assert.deepEqual(ranges.map((r) => [r.where, r.subnet, r.gateway]), [
    ['plugins[0].ipam', '10.1.0.0/24', undefined],
    ['plugins[0].ipam.ranges[0][0]', '10.2.0.0/24', '10.2.0.1'],
  ]);
  assert.equal(ipamRanges({ name: 'single', type: 'ptp', ipam: { subnet: '10.3.0.0/24' } })[0]?.where, 'ipam');
});

test('a gateway or range bound outside the subnet is named precisely', () => {
  const gw = subnetProblems(ipamRanges(net({ subnet: '10.231.11.0/24', gateway: '10.231.12.1' })), [], [], new Set());
  assert.deepEqual(gw, ['plugins[0].ipam.gateway 10.231.12.1 is outside subnet 10.231.11.0/24']);
  const range = subnetProblems(ipamRanges(net({ ranges: [[{ subnet: '10.231.13.0/24', rangeStart: '10.231.13.10', rangeEnd: '10.231.14.20' }]] })), [], [], new Set());
  assert.deepEqual(range, ['plugins[0].ipam.ranges[0][0].rangeEnd 10.231.14.20 is outside subnet 10.231.13.0/24']);
  const order = subnetProblems(ipamRanges(net({ subnet: '10.0.0.0/24', rangeStart: '10.0.0.9', rangeEnd: '10.0.0.3' })), [], [], new Set());
  assert.match(order[0]!, /rangeStart 10.0.0.9 is after rangeEnd 10.0.0.3/);
});

test('overlaps with other tested networks and host routes, but not the own bridge or the default route', () => {
  const ranges = ipamRanges(net({ subnet: '10.231.16.128/25' }));
  assert.deepEqual(subnetProblems(ranges, [{ network: 'a', subnet: '10.231.16.0/24' }], [], new Set()), [
    'subnet 10.231.16.128/25 overlaps subnet 10.231.16.0/24 of network a',
  ]);
  const routes = [{ dst: 'default', gateway: '192.0.2.1', dev: 'eth0' }, { dst: '10.231.16.0/24', dev: 'br-x' }];
  assert.deepEqual(subnetProblems(ranges, [], routes, ownDevices(net({}))), []);
  assert.deepEqual(subnetProblems(ranges, [], [{ dst: '10.231.0.0/16', dev: 'docker9' }], new Set()), ['subnet 10.231.16.128/25 overlaps host route 10.231.0.0/16 dev docker9']);
});
