import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CniError, parseNetworkConfig } from '../../cni/index.js';
import { dadProblem, dadSettled, dadVerdict } from './dad.js';
import { knownPluginBug } from './known-plugin-bugs.js';
import { ipv6HostAddress } from './portmap-check.js';

test('DAD: only the wanted addresses count; tentative waits, dadfailed is a problem at once', () => {
  const states = [
    { address: '10.0.0.2', tentative: false, dadFailed: false },
    { address: 'fd00::2', tentative: true, dadFailed: false },
    { address: 'fd00::9', tentative: true, dadFailed: false },
    { address: 'fd00::3', tentative: true, dadFailed: true },
  ];
  assert.deepEqual(dadVerdict(states, ['10.0.0.2']), { tentative: [], failed: [] });
  const v = dadVerdict(states, ['10.0.0.2', 'fd00::2', 'fd00::3']);
  assert.deepEqual(v, { tentative: ['fd00::2'], failed: ['fd00::3'] });
  assert.equal(dadSettled(v), false);
  assert.match(dadProblem(v, 5000) ?? '', /duplicate address detection failed for fd00::3/);
  assert.equal(dadProblem(dadVerdict(states, ['fd00::2']), 5000), 'fd00::2 still in duplicate address detection after 5000 ms');
  assert.equal(dadProblem(dadVerdict(states, ['10.0.0.2']), 0), undefined);
});

test('portmap\'s broken CHECK (plugins#819) is a known plugin bug; other failures are not', () => {
  const err = (plugin: string, verb: 'CHECK' | 'ADD', msg: string) => new CniError({ kind: 'plugin', plugin, verb, cniCode: 999, msg });
  assert.match(knownPluginBug(err('portmap', 'CHECK', 'could not check ipv6 dnat: rule [...] not found')) ?? '', /plugins#819.*disableCheck/);
  assert.equal(knownPluginBug(err('portmap', 'CHECK', 'some other failure')), undefined);
  assert.equal(knownPluginBug(err('bridge', 'CHECK', 'could not check ipv6 dnat')), undefined);
  assert.equal(knownPluginBug(new Error('could not check ipv6 dnat')), undefined);
});

test('the IPv6 host address portmap is tested on: the range gateway, else the subnet\'s first address', () => {
  const net = (ranges: unknown) => parseNetworkConfig(JSON.stringify({ cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'bridge', ipam: { type: 'host-local', ranges } }] }));
  assert.equal(ipv6HostAddress(net([[{ subnet: '10.0.0.0/24' }], [{ subnet: 'fd00:231:18::/64' }]])), 'fd00:231:18::1');
  assert.equal(ipv6HostAddress(net([[{ subnet: 'fd00:1::/64', gateway: 'fd00:1::fe' }]])), 'fd00:1::fe');
  assert.equal(ipv6HostAddress(net([[{ subnet: '10.0.0.0/24' }]])), undefined);
});
