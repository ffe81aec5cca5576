import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrHas, cidrsOverlap, parseCidr, sameNetwork } from './cidr.js';

const c = (s: string) => parseCidr(s)!;

test('parseCidr reads v4 and v6 prefixes and bare addresses as host routes', () => {
  assert.deepEqual(parseCidr('10.231.1.7/24'), { address: '10.231.1.7', prefix: 24, family: 4 });
  assert.deepEqual(parseCidr('1.1.1.1'), { address: '1.1.1.1', prefix: 32, family: 4 });
  assert.equal(parseCidr('fd00::1/64')?.family, 6);
  for (const bad of ['10.0.0.0/33', 'nope', '10.0.0.0/x', '10.0.0.0/']) assert.equal(parseCidr(bad), undefined, bad);
});

test('overlap and containment ignore host bits', () => {
  assert.ok(cidrHas(c('10.231.1.9/24'), '10.231.1.200'));
  assert.ok(!cidrHas(c('10.231.1.0/24'), '10.231.2.1'));
  assert.ok(cidrsOverlap(c('10.231.16.0/24'), c('10.231.16.128/25')));
  assert.ok(cidrsOverlap(c('10.231.16.128/25'), c('10.231.16.0/24')));
  assert.ok(!cidrsOverlap(c('10.231.16.0/24'), c('10.231.17.0/24')));
  assert.ok(!cidrsOverlap(c('10.0.0.0/8'), c('fd00::/8')));
  assert.ok(sameNetwork(c('10.231.1.7/24'), c('10.231.1.0/24')));
  assert.ok(!sameNetwork(c('10.231.1.0/24'), c('10.231.1.0/25')));
});
