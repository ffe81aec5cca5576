import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from './ip.js';
import { isDnsLabel, isDnsSubdomain, parseEnv, parseKeyValue, parseLabel, parsePositiveInt, validateDnsLabel, validateHostname, validateNetnsName } from './validate.js';

test('DNS-1123 labels and subdomains', () => {
  for (const ok of ['web', 'web-1', 'a', '0', 'a'.repeat(63)]) assert.ok(isDnsLabel(ok), ok);
  for (const bad of ['', 'Web', 'web_1', '-web', 'web-', 'a.b', 'a'.repeat(64)]) assert.ok(!isDnsLabel(bad), bad);
  assert.ok(isDnsSubdomain('db.svc.cluster.local'));
  assert.ok(!isDnsSubdomain('db..local'));
  assert.throws(() => validateDnsLabel('', 'pod name'), /pod name is empty/);
  assert.throws(() => validateDnsLabel('a'.repeat(64), 'pod name'), /64 characters long/);
  assert.throws(() => validateDnsLabel('UPPER', 'pod name'), /pod name "UPPER" is not a DNS-1123 label/);
  assert.equal(validateHostname('web.example'), 'web.example');
  assert.throws(() => validateHostname('web_1'), /hostname "web_1"/);
});

test('a netns name is one path component', () => {
  assert.equal(validateNetnsName('web'), 'web');
  for (const bad of ['', '.', '..', 'a/b', 'a\0b']) assert.throws(() => validateNetnsName(bad), /single file name/, JSON.stringify(bad));
});

test('KEY=VALUE pairs: env names, label keys, single-line values', () => {
  assert.deepEqual(parseKeyValue('a=b=c', 'label'), ['a', 'b=c']);
  assert.deepEqual(parseEnv('EMPTY='), ['EMPTY', '']);
  assert.throws(() => parseEnv('1A=b'), /env name "1A"/);
  assert.throws(() => parseEnv('A=x\ny'), /newline/);
  assert.throws(() => parseKeyValue('=x', 'label'), /not KEY=VALUE/);
  assert.deepEqual(parseLabel('example.com/tier=web'), ['example.com/tier', 'web']);
  assert.throws(() => parseLabel('bad key=x'), /white space/);
});

test('whole numbers within a range', () => {
  assert.equal(parsePositiveInt('20', '--tail', { min: 0 }), 20);
  assert.throws(() => parsePositiveInt('2.5', '--tail'), /not a whole number/);
  assert.throws(() => parsePositiveInt('0', '--timeout'), /--timeout 0 is out of range/);
  assert.throws(() => parsePositiveInt('', '--timeout'), /not a whole number/);
});

test('IP addresses: the old hand-made check let ":" through', () => {
  assert.ok(!isIP(':'));
  assert.ok(!isIP(':::'));
  assert.ok(isIP('10.99.0.10'));
  assert.ok(isIP('fd00::10'));
});
