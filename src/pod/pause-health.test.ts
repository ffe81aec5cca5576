import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pauseRestartedBehindOurBack, uptimeBounds, uptimeUpperBound } from './pause-health.js';

test('uptimeUpperBound reads docker status texts', () => {
  assert.equal(uptimeUpperBound('Up Less than a second'), 1);
  assert.equal(uptimeUpperBound('Up 5 seconds'), 6);
  assert.equal(uptimeUpperBound('Up About a minute'), 120);
  assert.equal(uptimeUpperBound('Up 3 minutes (healthy)'), 240);
  assert.equal(uptimeUpperBound('Up 2 hours'), 3 * 3600);
  assert.equal(uptimeUpperBound('Exited (0) 2 seconds ago'), undefined);
});

test('uptimeBounds: seconds and minutes floored, hours rounded', () => {
  assert.deepEqual(uptimeBounds('Up Less than a second'), { lower: 0, upper: 1 });
  assert.deepEqual(uptimeBounds('Up 1 second'), { lower: 1, upper: 2 });
  assert.deepEqual(uptimeBounds('Up 2 seconds (healthy)'), { lower: 2, upper: 3 });
  assert.deepEqual(uptimeBounds('Up About a minute'), { lower: 60, upper: 120 });
  assert.deepEqual(uptimeBounds('Up 2 hours'), { lower: 3600, upper: 3 * 3600 });
  assert.equal(uptimeBounds('Restarting (1) 2 seconds ago'), undefined);
});

test('a pause up for less time than since podctl started it was restarted', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  assert.equal(pauseRestartedBehindOurBack('Up 3 seconds', '2026-01-01T00:09:00Z', now), true);
  assert.equal(pauseRestartedBehindOurBack('Up About a minute', '2026-01-01T00:09:00Z', now), false);
  assert.equal(pauseRestartedBehindOurBack('Up 10 minutes', '2026-01-01T00:00:00Z', now), false);
  assert.equal(pauseRestartedBehindOurBack('Up 3 seconds', undefined, now), false);
});
