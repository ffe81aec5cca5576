import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, cidrFamily, cidrsOverlap, compareIp, sameInterfaceAddress, sameNetwork, toCidr } from './cidr.js';
import { ipFamily, isIP } from './ip.js';

test('addresses: node:net decides, so ":" or "1.2.3" is not an address', () => {
  for (const ok of ['10.0.0.1', '::1', 'fd00::1', '::ffff:10.0.0.1']) assert.ok(isIP(ok), ok);
  for (const bad of [':', '::g', '1.2.3', '10.0.0.256', '01.2.3.4x', '', '10.0.0.1/24']) assert.ok(!isIP(bad), bad);
  assert.equal(ipFamily('fd00::1'), 6);
  assert.equal(ipFamily(42), 0);
});

test('prefixes: host bits allowed, v4 and v6; a plain address is its host prefix', () => {
  assert.equal(cidrFamily('10.231.1.7/24'), 4);
  assert.equal(cidrFamily('fd00::1/64'), 6);
  for (const bad of ['10.0.0.0/33', 'nope', '10.0.0.0/x', '10.0.0.0/', '10.0.0.1']) assert.equal(cidrFamily(bad), 0, bad);
  assert.equal(toCidr('1.1.1.1'), '1.1.1.1/32');
  assert.equal(toCidr('fd00::1'), 'fd00::1/128');
  assert.equal(toCidr('10.0.0.0/33'), undefined);
});

test('containment and overlap, in both families and never across them', () => {
  assert.ok(cidrContains('10.231.1.9/24', '10.231.1.200'));
  assert.ok(!cidrContains('10.231.1.0/24', '10.231.2.1'));
  assert.ok(cidrContains('fd00::/64', 'fd00::ff'));
  assert.ok(!cidrContains('fd00::/64', '10.0.0.1'));
  assert.ok(cidrsOverlap('10.231.16.0/24', '10.231.16.128/25'));
  assert.ok(cidrsOverlap('10.231.16.128/25', '10.231.16.0/24'));
  assert.ok(!cidrsOverlap('10.231.16.0/24', '10.231.17.0/24'));
  assert.ok(cidrsOverlap('fd00::/16', 'fd00:1::/32'));
  assert.ok(!cidrsOverlap('10.0.0.0/8', 'fd00::/8'));
});

test('same network ignores host bits; same interface address does not', () => {
  assert.ok(sameNetwork('10.231.1.7/24', '10.231.1.0/24'));
  assert.ok(!sameNetwork('10.231.1.0/24', '10.231.1.0/25'));
  assert.ok(sameNetwork('0.0.0.0/0', '0.0.0.0/0'));
  assert.ok(sameInterfaceAddress('10.231.1.7/24', '10.231.1.7/24'));
  assert.ok(sameInterfaceAddress('fd00::7/64', 'fd00:0::7/64'));
  assert.ok(!sameInterfaceAddress('10.231.1.7/24', '10.231.1.8/24'));
});

test('addresses order numerically, IPv6 included', () => {
  assert.equal(compareIp('10.0.0.9', '10.0.0.10'), -1);
  assert.equal(compareIp('10.0.1.0', '10.0.0.255'), 1);
  assert.equal(compareIp('fd00::10', 'fd00::9'), 1);
  assert.equal(compareIp('10.0.0.1', '10.0.0.1'), 0);
});
