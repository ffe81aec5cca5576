import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipamProblems, pluginTypes } from './ipam-present.js';
import { namesId } from './leak-check.js';

test('ipamProblems: interface plugins need ipam; an ipam needs a type; meta plugins need none', () => {
  assert.deepEqual(ipamProblems({ plugins: [{ type: 'bridge' }, { type: 'portmap' }] }), [
    'plugins[0] (bridge) has no ipam section: pods would get no IP address (add e.g. "ipam": {"type": "host-local", "subnet": ...})',
  ]);
  assert.deepEqual(ipamProblems({ type: 'ptp', ipam: {} }), ['plugin ptp: ipam has no type (e.g. "host-local")']);
  assert.deepEqual(ipamProblems({ plugins: [{ type: 'bridge', ipam: { type: 'host-local' } }, { type: 'firewall' }] }), []);
});

test('pluginTypes lists chain and ipam binaries once each', () => {
  assert.deepEqual(pluginTypes({ plugins: [{ type: 'bridge', ipam: { type: 'host-local' } }, { type: 'ptp', ipam: { type: 'host-local' } }] }), ['bridge', 'host-local', 'ptp']);
});

test('namesId matches whole ids only', () => {
  assert.ok(namesId('-A POSTROUTING -s 10.0.0.2/32 -m comment --comment "name: \\"n\\" id: \\"pod-1\\"" -j CNI-x', 'pod-1'));
  assert.ok(!namesId('--comment "id: \\"pod-10\\""', 'pod-1'));
});
