import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary } from '../docker/containers.js';
import type { PodCheckpoint } from './checkpoint.js';
import { judgePod } from './gc.js';
import { LABEL } from './labels.js';
import { podView } from './status.js';
import type { PodSpec } from './spec.js';

const PAUSE_ID = 'a'.repeat(64);

function checkpoint(phase: PodCheckpoint['phase'], extra: Partial<PodCheckpoint> = {}): PodCheckpoint {
  return {
    version: 1, name: 'web', namespace: 'default', spec: { name: 'web', namespace: 'default', networks: ['podctl'] } as unknown as PodSpec,
    pauseId: PAUSE_ID, netnsName: 'web', netnsPinned: true, networksPending: [],
    attachments: [{ network: 'podctl', ifName: 'eth0', ips: ['10.244.0.7'] }], phase, removeOnInterrupt: false, createdAt: '2026-01-01T00:00:00Z', ...extra,
  };
}

function pause(state: string): ContainerSummary {
  return { id: PAUSE_ID, name: 'web-pause', image: 'pause', state, status: state === 'running' ? 'Up 3 minutes' : 'Exited (137) 1 minute ago', labels: { [LABEL.pod]: 'web', [LABEL.namespace]: 'default', [LABEL.role]: 'pause' }, created: 0 };
}

test('after a reboot (pause down, pin gone) a running pod is stopped with no IP, and gc releases its networks', () => {
  const cp = checkpoint('running');
  const view = podView(cp, [pause('exited')], cp, new Set());
  assert.equal(view.state, 'stopped');
  assert.deepEqual(view.ips, []);
  assert.equal(view.netns, '', 'no path to a namespace that does not exist');
  assert.equal(judgePod(cp, [pause('exited')], undefined, new Set())?.action, 'release');
});

test('a dockerd restart without a reboot (pin still there) stays degraded for start to rewire; gc leaves it', () => {
  const cp = checkpoint('running');
  const view = podView(cp, [pause('exited')], cp, new Set(['web']));
  assert.equal(view.state, 'degraded');
  assert.deepEqual(view.ips, ['10.244.0.7']);
  assert.equal(judgePod(cp, [pause('exited')], undefined, new Set(['web'])), undefined);
});

test('gc\'s verdicts on interrupted operations', () => {
  const none = new Set<string>();
  const pins = new Set(['web']);
  assert.equal(judgePod(checkpoint('running'), [pause('running')], undefined, pins), undefined, 'a healthy pod is left alone');
  assert.equal(judgePod(checkpoint('stopped', { attachments: [] }), [pause('exited')], undefined, none), undefined, 'a stopped pod is left alone');
  assert.equal(judgePod(checkpoint('creating'), [], undefined, none)?.action, 'remove');
  assert.equal(judgePod(checkpoint('removing'), [pause('running')], undefined, pins)?.action, 'remove');
  assert.equal(judgePod(checkpoint('starting', { removeOnInterrupt: true }), [pause('running')], undefined, pins)?.action, 'remove');
  assert.equal(judgePod(checkpoint('starting'), [pause('running')], undefined, pins)?.action, 'stop');
  assert.equal(judgePod(checkpoint('stopping'), [pause('running')], undefined, pins)?.action, 'stop');
  assert.equal(judgePod(checkpoint('running'), [], undefined, pins)?.action, 'remove', 'pause container gone');
  assert.equal(judgePod(checkpoint('running', { spec: { session: 's1' } as unknown as PodSpec }), [pause('running')], 's1', pins)?.action, 'remove');
});
