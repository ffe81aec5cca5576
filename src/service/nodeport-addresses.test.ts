import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPodctlError } from '../util/errors.js';
import { parseNodePortAddresses } from './nodeport-addresses.js';

describe('parseNodePortAddresses', () => {
  it('reads the default, all, and lists of addresses and prefixes (host bits cleared)', () => {
    assert.equal(parseNodePortAddresses(undefined), 'default');
    assert.equal(parseNodePortAddresses(''), 'default');
    assert.equal(parseNodePortAddresses('all'), 'all');
    assert.deepEqual(parseNodePortAddresses('192.168.1.7/24, 10.0.0.5'), ['192.168.1.0/24', '10.0.0.5/32']);
  });

  it('refuses anything else with INVALID_ARGUMENT naming the bad item', () => {
    for (const bad of ['any', '10.0.0.0/33', 'fd00::/64', '10.0.0.1,']) {
      assert.throws(() => parseNodePortAddresses(bad), (err: unknown) => isPodctlError(err, 'INVALID_ARGUMENT') && /PODCTL_NODEPORT_ADDRESSES: .* is not an IPv4 address or prefix/.test(err.message), bad);
    }
  });
});
