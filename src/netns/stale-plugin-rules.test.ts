import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findStalePluginRules, removeStalePluginRules, type PluginRuleScope } from './stale-plugin-rules.js';

const gone = 'a'.repeat(64);
const live = 'b'.repeat(64);
const comment = (id: string, network = 'podctl', prefix = '') => `-m comment --comment "${prefix}name: \\"${network}\\" id: \\"${id}\\""`;

// As `iptables -S` prints what bridge (ipMasq), portmap and firewall add, for a gone pod
// (10.99.3.83, container `gone`), a live one (10.99.0.4), another runtime's (10.88.0.7) and Docker's.
const NAT = [
  '-N CNI-DN-eb9fa0de29a6b6d049285',
  '-N CNI-DN-0123456789abcdef01234',
  '-N CNI-eb9fa0de29a6b6d049285116',
  '-N CNI-ffffffffffffffffffffffff',
  '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
  `-A POSTROUTING -s 10.99.3.83/32 ${comment(gone)} -j CNI-eb9fa0de29a6b6d049285116`,
  `-A POSTROUTING -s 10.99.0.4/32 ${comment(live)} -j CNI-ffffffffffffffffffffffff`,
  `-A POSTROUTING -s 10.88.0.7/32 ${comment(gone, 'podman')} -j CNI-0123456789abcdef0123abcd`,
  '-A CNI-DN-eb9fa0de29a6b6d049285 -s 10.99.0.0/16 -p tcp -m tcp --dport 18081 -j CNI-HOSTPORT-SETMARK',
  '-A CNI-DN-eb9fa0de29a6b6d049285 -p tcp -m tcp --dport 18081 -j DNAT --to-destination 10.99.3.83:80',
  '-A CNI-DN-0123456789abcdef01234 -p tcp -m tcp --dport 18082 -j DNAT --to-destination 10.99.0.4:80',
  `-A CNI-HOSTPORT-DNAT -p tcp ${comment(live, 'podctl', 'dnat ')} -m multiport --dports 18082 -j CNI-DN-0123456789abcdef01234`,
  `-A CNI-eb9fa0de29a6b6d049285116 -d 10.99.0.0/16 ${comment(gone)} -j ACCEPT`,
  `-A CNI-eb9fa0de29a6b6d049285116 ! -d 224.0.0.0/4 ${comment(gone)} -j MASQUERADE`,
  `-A CNI-ffffffffffffffffffffffff -d 10.99.0.0/16 ${comment(live)} -j ACCEPT`,
].join('\n');

const FILTER = [
  '-N CNI-FORWARD',
  '-A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD',
  '-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN',
  '-A CNI-FORWARD -d 10.99.3.83/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A CNI-FORWARD -s 10.99.3.83/32 -j ACCEPT',
  '-A CNI-FORWARD -d 10.99.0.4/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A CNI-FORWARD -s 10.99.0.4/32 -j ACCEPT',
  '-A CNI-FORWARD -s 10.88.0.7/32 -j ACCEPT',
].join('\n');

const scope: PluginRuleScope = {
  networks: [{ name: 'podctl', subnets: ['10.99.0.0/16'] }],
  heldAddresses: new Set(['10.99.0.4']),
  keptIds: new Set([live]),
};

test('the firewall plugin\'s CNI-FORWARD rules of an address no allocation holds, in a podctl network only', () => {
  const found = findStalePluginRules('filter', FILTER, scope);
  assert.deepEqual(found.rules.map((r) => r.args.join(' ')), [
    '-A CNI-FORWARD -d 10.99.3.83/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A CNI-FORWARD -s 10.99.3.83/32 -j ACCEPT',
  ]);
  assert.match(found.rules[0]!.reason, /firewall plugin's rule for 10\.99\.3\.83, which no allocation holds/);
  assert.deepEqual(found.chains, []);
});

test('bridge\'s masquerade chain and portmap\'s DNAT chain of a gone container go with the rules that jump to them', () => {
  const found = findStalePluginRules('nat', NAT, scope);
  assert.deepEqual(found.rules.map((r) => r.args.slice(0, 4).join(' ')), ['-A POSTROUTING -s 10.99.3.83/32'], 'the jump; the chain\'s own rules go with its flush');
  assert.deepEqual(found.chains.map((c) => c.chain).sort(), ['CNI-DN-eb9fa0de29a6b6d049285', 'CNI-eb9fa0de29a6b6d049285116']);
  assert.match(found.chains.find((c) => c.chain.startsWith('CNI-DN-'))!.reason, /portmap's DNAT chain to 10\.99\.3\.83/);
});

test('nothing is taken while an allocation or a live container still holds it, nor of another runtime\'s networks', () => {
  const everythingHeld: PluginRuleScope = { ...scope, heldAddresses: new Set(['10.99.0.4', '10.99.3.83']), keptIds: new Set([live, gone]) };
  assert.deepEqual(findStalePluginRules('nat', NAT, everythingHeld), { rules: [], chains: [] });
  assert.deepEqual(findStalePluginRules('filter', FILTER, everythingHeld), { rules: [], chains: [] });
  const noNetworks: PluginRuleScope = { ...scope, networks: [] };
  assert.deepEqual(findStalePluginRules('nat', NAT, noNetworks), { rules: [], chains: [] });
  assert.deepEqual(findStalePluginRules('filter', FILTER, noNetworks), { rules: [], chains: [] });
});

test('removal deletes the rules first, then flushes and deletes each chain', async () => {
  const commands: string[] = [];
  const run = async (file: string, args: string[]) => void commands.push([file, ...args].join(' '));
  await removeStalePluginRules(run, findStalePluginRules('nat', NAT, scope));
  assert.match(commands[0]!, /^iptables -w -t nat -D POSTROUTING -s 10\.99\.3\.83\/32 -m comment --comment name: "podctl" id: "a{64}" -j CNI-eb9fa0de29a6b6d049285116$/);
  assert.deepEqual(commands.slice(1).map((c) => c.split(' ').slice(4).join(' ')).sort(), [
    '-F CNI-DN-eb9fa0de29a6b6d049285', '-F CNI-eb9fa0de29a6b6d049285116', '-X CNI-DN-eb9fa0de29a6b6d049285', '-X CNI-eb9fa0de29a6b6d049285116',
  ]);
  assert.ok(commands.indexOf('iptables -w -t nat -X CNI-DN-eb9fa0de29a6b6d049285') > commands.indexOf('iptables -w -t nat -F CNI-DN-eb9fa0de29a6b6d049285'));
});
