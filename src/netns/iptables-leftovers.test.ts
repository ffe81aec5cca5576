import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findLeftovers, splitRule } from './iptables-leftovers.js';

const id = 'a'.repeat(64);

test('splitRule keeps quoted comments with escaped quotes as one argument', () => {
  assert.deepEqual(splitRule(`-A POSTROUTING -s 10.99.0.5/32 -m comment --comment "name: \\"podctl\\" id: \\"${id}\\"" -j CNI-0123456789abcdef01234567`), [
    '-A', 'POSTROUTING', '-s', '10.99.0.5/32', '-m', 'comment', '--comment', `name: "podctl" id: "${id}"`, '-j', 'CNI-0123456789abcdef01234567',
  ]);
});

test('findLeftovers picks only rules naming the container id and the chains they jump to', () => {
  const listing = [
    '-N CNI-0123456789abcdef01234567',
    `-A POSTROUTING -s 10.99.0.5/32 -m comment --comment "name: \\"podctl\\" id: \\"${id}\\"" -j CNI-0123456789abcdef01234567`,
    `-A CNI-0123456789abcdef01234567 -d 10.99.0.0/16 -m comment --comment "name: \\"podctl\\" id: \\"${id}\\"" -j ACCEPT`,
    `-A POSTROUTING -s 10.99.0.6/32 -m comment --comment "name: \\"podctl\\" id: \\"${'b'.repeat(64)}\\"" -j CNI-ffffffffffffffffffffffff`,
  ].join('\n');
  const found = findLeftovers('nat', listing, id);
  assert.equal(found.rules.length, 2);
  assert.deepEqual(found.chains, ['CNI-0123456789abcdef01234567']);
});
