import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PluginConf } from '../types.js';
import { runtimeConfigFor } from './plugin-stdin.js';

const portmap = { type: 'portmap', capabilities: { portMappings: true } } as PluginConf;

test('a plugin gets only the capability args it declares, and none when it declares none', () => {
  const args = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], bandwidth: { ingressRate: 1000 } };
  assert.deepEqual(runtimeConfigFor(portmap, args), { portMappings: args.portMappings });
  assert.equal(runtimeConfigFor({ type: 'bridge' } as PluginConf, args), undefined);
  assert.equal(runtimeConfigFor({ type: 'x', capabilities: { portMappings: false } } as PluginConf, args), undefined);
});

test('an undefined capability value is left out; no args at all gives no runtimeConfig', () => {
  assert.equal(runtimeConfigFor(portmap, { portMappings: undefined }), undefined);
  assert.equal(runtimeConfigFor(portmap), undefined);
});
