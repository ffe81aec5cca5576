import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countStillHolds, RestartCounts } from './restart-counts.js';

test('countStillHolds: the container has been up since before the inspect was sent', () => {
  const seen = { count: 2, at: 100_000 };
  assert.equal(countStillHolds(seen, 'Up 5 seconds', 104_000), true, 'up at least 5 s, inspected 4 s ago');
  assert.equal(countStillHolds(seen, 'Up 5 seconds', 105_000), true, 'up at least 5 s, inspected 5 s ago');
  assert.equal(countStillHolds(seen, 'Up 5 seconds', 105_001), false, 'it may have started just after the inspect');
  assert.equal(countStillHolds(seen, 'Up 3 seconds', 104_000), false, 'restarted since the inspect');
  assert.equal(countStillHolds(seen, 'Up Less than a second', 100_001), false, 'restarted a moment ago');
  assert.equal(countStillHolds(seen, 'Up 2 minutes (Paused)', 160_000), true);
  assert.equal(countStillHolds(seen, 'Up About a minute', 161_000), false, '"About a minute" promises only 60 s');
});

test('countStillHolds: a container that is not up is read again', () => {
  const seen = { count: 1, at: 100_000 };
  assert.equal(countStillHolds(seen, 'Restarting (1) 2 seconds ago', 100_500), false);
  assert.equal(countStillHolds(seen, 'Exited (0) 5 minutes ago', 100_500), false);
  assert.equal(countStillHolds(seen, 'Created', 100_500), false);
});

test('RestartCounts: inspects once while the count holds, again after a restart', async () => {
  let now = 1_000_000;
  const inspected: string[] = [];
  const counts = new Map([['a', 0]]);
  const cache = new RestartCounts(async (id) => {
    inspected.push(id);
    return counts.get(id);
  }, () => now);

  assert.equal(await cache.dockerCount('a', 'Up 10 seconds'), 0);
  now += 4_000;
  assert.equal(await cache.dockerCount('a', 'Up 14 seconds'), 0);
  assert.deepEqual(inspected, ['a'], 'the second read is served from the cache');

  // Docker restarts it: the count grows and the uptime starts again.
  counts.set('a', 1);
  now += 3_000;
  assert.equal(await cache.dockerCount('a', 'Up 2 seconds'), 1, 'the restart is seen');
  assert.deepEqual(inspected, ['a', 'a']);
  now += 1_000;
  assert.equal(await cache.dockerCount('a', 'Up 3 seconds'), 1);
  assert.deepEqual(inspected, ['a', 'a'], 'inspected 1 s ago, up 3 s: it holds');
});

test('RestartCounts: a gone container counts 0 and is not remembered; the oldest go beyond the limit', async () => {
  const inspected: string[] = [];
  const cache = new RestartCounts(async (id) => {
    inspected.push(id);
    return id === 'gone' ? undefined : 3;
  }, () => 0, 2);
  assert.equal(await cache.dockerCount('gone', 'Up 2 hours'), 0);
  for (const id of ['a', 'b', 'c']) await cache.dockerCount(id, 'Up 2 hours');
  assert.equal(await cache.dockerCount('c', 'Up 2 hours'), 3);
  assert.equal(await cache.dockerCount('a', 'Up 2 hours'), 3);
  assert.deepEqual(inspected, ['gone', 'a', 'b', 'c', 'a'], 'a, the oldest, was forgotten when c came');
});
