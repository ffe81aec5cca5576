import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerRestarts, withRestart } from './restarts.js';

test('restarts: podctl\'s liveness restarts keep the Docker count each one reset, and Docker\'s own count adds on top', () => {
  assert.equal(containerRestarts(undefined, 'web', 0), 0);
  assert.equal(containerRestarts({}, 'web', 3), 3, 'Docker restart policy only');
  // Docker restarted web twice, then a liveness restart (stop+start resets Docker's count to 0).
  const after = withRestart(undefined, 'web', 2);
  assert.deepEqual(after, { web: 3 });
  assert.equal(containerRestarts({ restarts: after }, 'web', 0), 3);
  assert.equal(containerRestarts({ restarts: after }, 'web', 1), 4, 'Docker restarts it again');
  assert.deepEqual(withRestart(after, 'side', 0), { web: 3, side: 1 }, 'per container');
  assert.equal(containerRestarts({ restarts: after }, 'side', 0), 0);
});
