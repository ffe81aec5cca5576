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

test('findLeftovers also takes the portmap DNAT chain a rule naming the id jumps to', () => {
  const listing = [
    '-N CNI-DN-32188e677b90dc3170c45',
    '-A CNI-DN-32188e677b90dc3170c45 -d 127.0.0.1/32 -p tcp -m tcp --dport 18999 -j DNAT --to-destination 10.99.0.126:80',
    `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"podctl\\" id: \\"${id}\\"" -m multiport --dports 18999 -j CNI-DN-32188e677b90dc3170c45`,
  ].join('\n');
  const found = findLeftovers('nat', listing, id);
  assert.equal(found.rules.length, 1);
  assert.deepEqual(found.chains, ['CNI-DN-32188e677b90dc3170c45']);
});
