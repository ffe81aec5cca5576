import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPodctlError } from '../util/errors.js';
import { containerNameFromImage } from '../pod/build-spec.js';
import { parseContainerCommand, parseRate, specFromFlags } from './pod-spec-from-flags.js';

const defaults = { network: 'podctl', pauseImage: 'localhost/podctl-pause:3.10' };

test('container names come from image references', () => {
  assert.equal(containerNameFromImage('nginx'), 'nginx');
  assert.equal(containerNameFromImage('registry:5000/team/App_1:1.2'), 'app-1');
  assert.equal(containerNameFromImage('busybox@sha256:abc'), 'busybox');
});

test('flags become a pod spec', () => {
  const spec = specFromFlags(
    { image: ['nginx', 'nginx'], name: 'web', env: ['A=1'], label: ['app=web'], publish: ['8080:80'], dns: ['10.0.0.10'], bandwidthIngress: '10M' },
    [],
    defaults,
  );
  assert.deepEqual(spec.containers.map((c) => c.name), ['nginx', 'nginx-2']);
  assert.deepEqual(spec.containers[1]?.env, { A: '1' });
  assert.deepEqual(spec.labels, { app: 'web' });
  assert.deepEqual(spec.networks, ['podctl']);
  assert.deepEqual(spec.dns, { servers: ['10.0.0.10'], searches: [], options: [] });
  assert.deepEqual(spec.bandwidth, { ingressRate: 10_000_000 });
  assert.equal(spec.namespace, 'default');
});

test('a command after -- goes to the single container; --command names one', () => {
  assert.deepEqual(specFromFlags({ image: ['busybox'] }, ['sleep', '1'], defaults).containers[0]?.args, ['sleep', '1']);
  assert.throws(() => specFromFlags({ image: ['a', 'b'] }, ['sleep', '1'], defaults), (e) => isPodctlError(e, 'INVALID_ARGUMENT'));
  assert.deepEqual(parseContainerCommand('side=["sh","-c","a b"]'), ['side', ['sh', '-c', 'a b']]);
  assert.deepEqual(parseContainerCommand('side=sleep 3600'), ['side', ['sleep', '3600']]);
  assert.throws(() => parseContainerCommand('side=[1,2]'));
  assert.throws(() => specFromFlags({ image: ['busybox'], command: ['nope=sleep 1'] }, [], defaults), /no container nope/);
});

test('a generated name is a DNS label based on the first container', () => {
  assert.match(specFromFlags({ image: ['nginx'] }, [], defaults).name, /^nginx-[0-9a-f]{6}$/);
});

test('bad flags are usage errors', () => {
  assert.throws(() => specFromFlags({}, [], defaults), /no container given/);
  assert.throws(() => specFromFlags({ container: ['=nginx'] }, [], defaults), /not NAME=IMAGE/);
  assert.throws(() => specFromFlags({ image: ['x'], env: ['1A=b'] }, [], defaults), /env name/);
  assert.throws(() => parseRate('10X', '--bandwidth-ingress'), /not a rate/);
});

test('numeric options are parsed by commander: a bad value fails naming the flag', async () => {
  const { wholeNumber, secondsAsMs } = await import('./commands/collect.js');
  assert.equal(wholeNumber('--tail', { min: 0 })('0'), 0);
  assert.throws(() => wholeNumber('--stop-timeout', { min: 0, max: 3600 })('-1'), /--stop-timeout "-1" is not a whole number/);
  assert.throws(() => wholeNumber('--timeout', { max: 3600 })('3601'), /--timeout 3601 is out of range/);
  assert.equal(secondsAsMs('--timeout')('0.5'), 500);
  assert.throws(() => secondsAsMs('--timeout')('soon'), /--timeout soon/);
});
