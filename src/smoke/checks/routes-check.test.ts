import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingRoutes } from './routes-check.js';

const table = [
  { dst: 'default', gateway: '10.0.10.1', dev: 'eth0' },
  { dst: '10.0.10.0/24', dev: 'eth0' },
  { dst: '192.0.2.7', gateway: '10.0.10.1', dev: 'eth0' },
];

test('result routes match the kernel table: default, subnets with host bits, host routes, gateways', () => {
  assert.deepEqual(missingRoutes([{ dst: '0.0.0.0/0' }, { dst: '0.0.0.0/0', gw: '10.0.10.1' }, { dst: '10.0.10.5/24' }, { dst: '192.0.2.7/32', gw: '10.0.10.1' }], table, 'ns'), []);
});

test('a missing route says what was expected and what the namespace has', () => {
  assert.deepEqual(missingRoutes([{ dst: '1.1.1.1/32', gw: '10.0.10.1' }], table, 'ns1'), [
    'route 1.1.1.1/32 via 10.0.10.1 missing in netns ns1; found: default via 10.0.10.1 dev eth0, 10.0.10.0/24 dev eth0, 192.0.2.7 via 10.0.10.1 dev eth0',
  ]);
  assert.match(missingRoutes([{ dst: '0.0.0.0/0', gw: '10.0.10.254' }], table, 'ns')[0]!, /^route 0.0.0.0\/0 via 10.0.10.254 missing/);
  assert.match(missingRoutes([{ dst: '::/0' }], table, 'ns')[0]!, /^route ::\/0 missing/);
});
