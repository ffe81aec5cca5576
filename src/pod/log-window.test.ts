import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { instanceWindow } from './log-window.js';

const ZERO = '0001-01-01T00:00:00Z';

describe('instanceWindow', () => {
  it('a container that never restarted: the whole log, and no previous instance', () => {
    const run = { running: true, startedAt: '2026-01-01T00:00:00Z', finishedAt: ZERO, restarts: 0 };
    assert.deepEqual(instanceWindow(run, 'current'), {});
    assert.equal(instanceWindow(run, 'previous'), undefined);
  });

  it('running again after an exit: the exit splits the runs', () => {
    const run = { running: true, startedAt: '2026-01-01T00:00:10Z', finishedAt: '2026-01-01T00:00:09.5Z', restarts: 1 };
    assert.deepEqual(instanceWindow(run, 'current'), { since: Date.parse('2026-01-01T00:00:09.5Z') / 1000 });
    assert.deepEqual(instanceWindow(run, 'previous'), { until: Date.parse('2026-01-01T00:00:09.5Z') / 1000 });
  });

  it('ended after a restart: its last start splits the runs', () => {
    const run = { running: false, startedAt: '2026-01-01T00:00:10Z', finishedAt: '2026-01-01T00:00:11Z', restarts: 2 };
    assert.deepEqual(instanceWindow(run, 'current'), { since: Date.parse('2026-01-01T00:00:10Z') / 1000 });
    assert.deepEqual(instanceWindow(run, 'previous'), { until: Date.parse('2026-01-01T00:00:10Z') / 1000 });
  });

  it('stopped and started by podctl (no restart counted): one instance, the whole log', () => {
    const run = { running: true, startedAt: '2026-01-01T00:00:10Z', finishedAt: '2026-01-01T00:00:05Z', restarts: 0 };
    assert.deepEqual(instanceWindow(run, 'current'), {});
    assert.equal(instanceWindow(run, 'previous'), undefined);
  });
});
