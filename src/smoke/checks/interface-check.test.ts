import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Result04, Result02 } from '../../cni/index.js';
import { interfaceProblems } from './interface-check.js';
import { describeDns, podNetView } from './result-view.js';

const result: Result04 = {
  cniVersion: '0.4.0',
  interfaces: [{ name: 'pct0', mac: 'aa:aa:aa:aa:aa:aa' }, { name: 'veth1', mac: 'bb:bb:bb:bb:bb:bb' }, { name: 'eth0', mac: '0A:58:0A:00:00:02', sandbox: '/var/run/netns/x' }],
  ips: [{ version: '4', address: '10.0.0.2/24', gateway: '10.0.0.1', interface: 2 }],
  routes: [{ dst: '0.0.0.0/0' }],
  dns: { nameservers: ['10.0.0.1'], search: ['example.test'] },
};

test('podNetView picks the sandbox interface, its addresses and the host-side links', () => {
  const view = podNetView(result, 'eth0');
  assert.equal(view.mac, '0A:58:0A:00:00:02');
  assert.deepEqual(view.addresses, ['10.0.0.2/24']);
  assert.deepEqual(view.gateways, ['10.0.0.1']);
  assert.deepEqual(view.hostInterfaces, ['pct0', 'veth1']);
  assert.equal(describeDns(view.dns), 'nameservers 10.0.0.1; search example.test');
  const old: Result02 = { cniVersion: '0.2.0', ip4: { ip: '10.0.0.3/24', gateway: '10.0.0.1' } };
  const v02 = podNetView(old, 'eth0');
  assert.equal(v02.mac, undefined);
  assert.deepEqual(v02.addresses, ['10.0.0.3/24']);
  assert.equal(describeDns(v02.dns), 'the result carries no DNS settings');
});

test('interfaceProblems compares addresses (with prefix) and MAC, case-insensitively', () => {
  const view = podNetView(result, 'eth0');
  assert.deepEqual(interfaceProblems(view, { mac: '0a:58:0a:00:00:02', addresses: ['10.0.0.2/24', 'fe80::1/64'] }, 'ns'), []);
  assert.deepEqual(interfaceProblems(view, undefined, 'ns'), ['interface eth0 named in the result does not exist in netns ns']);
  assert.deepEqual(interfaceProblems(view, { mac: '0a:58:0a:00:00:09', addresses: ['10.0.0.2/16'] }, 'ns'), [
    'address 10.0.0.2/24 missing on eth0 in netns ns; found: 10.0.0.2/16',
    'MAC of eth0 is 0a:58:0a:00:00:09, the result says 0A:58:0A:00:00:02',
  ]);
});
