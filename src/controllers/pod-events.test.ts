import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePodEvents } from './pod-events.js';

test("Docker events name the pod, its role and its own labels; other lines are skipped", () => {
  const die = { Type: 'container', Action: 'die', Actor: { ID: 'abc', Attributes: { 'io.podctl.pod': 'web-x', 'io.podctl.namespace': 'default', 'io.podctl.role': 'app', app: 'web', 'pod-template-hash': 'h1', exitCode: '137', image: 'nginx', name: 'web-x-nginx' } } };
  const health = { Type: 'container', Action: 'health_status: unhealthy', Actor: { Attributes: { 'io.podctl.pod': 'db-0', 'io.podctl.namespace': 'dev', 'io.podctl.role': 'pause' } } };
  const foreign = { Type: 'container', Action: 'die', Actor: { Attributes: { name: 'other' } } };
  const events = parsePodEvents([die, health, foreign].map((e) => JSON.stringify(e)).join('\n') + '\nnot json\n');
  assert.deepEqual(events, [
    { action: 'die', namespace: 'default', pod: 'web-x', role: 'app', labels: { app: 'web', 'pod-template-hash': 'h1' } },
    { action: 'health_status', namespace: 'dev', pod: 'db-0', role: 'pause', labels: {} },
  ]);
});
