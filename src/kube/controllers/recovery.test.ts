import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodView } from '../../pod/status.js';
import { recoveryOf } from './recovery.js';

const pod = (state: PodView['state'], pause = 'exited') => ({ state, pause: { id: 'p', image: 'pause', state: pause } });

test('a pod whose sandbox went down with the engine or a reboot is restarted in place', () => {
  assert.equal(recoveryOf(pod('degraded', 'exited')), 'restart');
  assert.equal(recoveryOf(pod('stopped')), 'restart');
  assert.equal(recoveryOf(pod('created')), 'restart');
});

test('a pod with nothing left to restart is replaced', () => {
  assert.equal(recoveryOf(pod('dead', 'missing')), 'replace');
  assert.equal(recoveryOf(pod('unknown', 'running')), 'replace');
});

test('running pods, crash loops under a live pause and pods another command works on are left alone', () => {
  assert.equal(recoveryOf(pod('running', 'running')), undefined);
  assert.equal(recoveryOf(pod('degraded', 'running')), undefined);
  assert.equal(recoveryOf(pod('creating')), undefined);
  assert.equal(recoveryOf(pod('removing')), undefined);
});
