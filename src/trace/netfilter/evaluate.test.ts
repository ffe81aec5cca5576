import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateHook, type Packet } from './evaluate.js';
import { parseRuleset, ruleLines } from './ruleset.js';
import { loadRuleset } from '../testing/fixtures.js';

// Two captured rulesets: the host's iptables-nft tables with a portmap host port (xt matches and
// targets the JSON cannot describe), and the Services table of podctl's design (loaded into a
// scratch namespace with nft -f and listed back): verdict maps, concatenations, numgen, marks.
const portmap = () => { const r = loadRuleset('portmap'); return parseRuleset(r.json, r.text); };
const services = () => { const r = loadRuleset('services'); return parseRuleset(r.json, r.text); };
const pkt = (p: Partial<Packet>): Packet => ({ saddr: '10.99.0.9', daddr: '10.96.0.10', protocol: 'tcp', sport: 40000, dport: 80, mark: 0, ...p });
const local = { localAddresses: new Set(['10.99.0.1', '192.0.2.2', '172.17.0.1']) };

test('rule texts come from nft -a list ruleset, counters dropped, keyed by family table chain handle', () => {
  const lines = ruleLines('table ip nat { # handle 1\n\tchain OUT { # handle 7\n\t\ttype nat hook output priority -100; policy accept;\n\t\tip daddr != 127.0.0.0/8 fib daddr type local counter packets 3 bytes 180 jump DOCKER # handle 8\n\t}\n}\n');
  assert.deepEqual([...lines], [['ip nat OUT 8', 'ip daddr != 127.0.0.0/8 fib daddr type local jump DOCKER']]);
});

test('xt parts of iptables-nft rules are read from their text: addrtype, multiport, MARK, DNAT, MASQUERADE', () => {
  const rs = portmap();
  const dn = rs.chains.get('ip nat CNI-DN-9886e6f0f482038b5c3c5')!;
  assert.deepEqual(dn.rules.at(-1)!.expr.at(-1), { dnat: { addr: '10.99.0.54', port: 80 } });
  assert.ok(rs.chains.get('ip nat PREROUTING')!.rules.every((r) => r.opaque.length === 0));
  const setmark = rs.chains.get('ip nat CNI-HOSTPORT-SETMARK')!.rules[0]!;
  assert.deepEqual(setmark.expr.at(-1), { mangle: { key: { meta: { key: 'mark' } }, value: { '|': [{ meta: { key: 'mark' } }, 0x2000] } } });
});

test('a host port from the host: OUTPUT DNATs to the pod, POSTROUTING masquerades what portmap marked', () => {
  const rs = portmap();
  const out = evaluateHook(rs, 'output', pkt({ saddr: '127.0.0.1', daddr: '127.0.0.1', dport: 18080, oif: 'lo' }), local);
  assert.equal(out.verdict, 'accept');
  assert.deepEqual(out.nat.map((n) => [n.kind, n.addr, n.port]), [['dnat', '10.99.0.54', 80]]);
  assert.equal(out.packet.mark, 0x2000);
  const post = evaluateHook(rs, 'postrouting', { ...out.packet, oif: 'podctl0' }, local);
  assert.deepEqual(post.nat.map((n) => n.kind), ['masquerade']);
  assert.equal(post.hits.at(-1)!.text, 'meta mark & 0x00002000 == 0x00002000 masquerade');
});

test('FORWARD under Docker: pod traffic the firewall plugin accepts, other bridge traffic dropped by the policy', () => {
  const rs = portmap();
  assert.equal(evaluateHook(rs, 'forward', pkt({ saddr: '10.99.0.54', daddr: '10.99.0.55', iif: 'podctl0', oif: 'podctl0' }), local).verdict, 'accept');
  const dropped = evaluateHook(rs, 'forward', pkt({ saddr: '10.234.1.2', daddr: '10.234.1.3', iif: 'br1', oif: 'br1' }), local);
  assert.equal(dropped.verdict, 'drop');
  assert.equal(dropped.decidedBy?.policy, true);
  assert.equal(dropped.decidedBy?.chain.name, 'FORWARD');
});

test('a ClusterIP: the service map sends it to its chain, numgen picks an endpoint, DNAT rewrites the destination', () => {
  const rs = services();
  const first = evaluateHook(rs, 'prerouting', pkt({ iif: 'podctl0' }), local);
  assert.equal(first.packet.daddr, '10.99.0.5');
  assert.equal(first.packet.dport, 8080);
  assert.deepEqual(first.choices.map((c) => c.candidates), [['ep-default/web/tcp/http/10.99.0.5/8080', 'ep-default/web/tcp/http/10.99.0.12/8080']]);
  const second = evaluateHook(rs, 'prerouting', pkt({ iif: 'podctl0' }), { ...local, choose: () => 1 });
  assert.equal(second.packet.daddr, '10.99.0.12');
  assert.equal(second.packet.mark, 0, 'not hairpin: no masquerade mark');
});

test('hairpin: an endpoint reaching its own service is marked, and masqueraded on the way out', () => {
  const rs = services();
  const pre = evaluateHook(rs, 'prerouting', pkt({ saddr: '10.99.0.5', iif: 'podctl0' }), local);
  assert.equal(pre.packet.daddr, '10.99.0.5');
  assert.equal(pre.packet.mark, 0x4000);
  const post = evaluateHook(rs, 'postrouting', { ...pre.packet, oif: 'podctl0' }, local);
  assert.deepEqual(post.nat.map((n) => n.kind), ['masquerade']);
});

test('a service without endpoints is rejected in the forward hook; a NodePort on a host address is DNATed', () => {
  const rs = services();
  const rejected = evaluateHook(rs, 'forward', pkt({ daddr: '10.96.0.20', iif: 'podctl0', oif: 'eth0' }), local);
  assert.equal(rejected.verdict, 'reject');
  assert.equal(rejected.decidedBy?.rule?.text, 'reject with tcp reset');
  const nodePort = evaluateHook(rs, 'prerouting', pkt({ daddr: '10.99.0.1', dport: 30080, iif: 'podctl0' }), local);
  assert.ok(['10.99.0.5', '10.99.0.12'].includes(nodePort.packet.daddr));
  assert.equal(nodePort.packet.mark, 0x4000, 'external traffic to a NodePort is marked for masquerade');
  const notLocal = evaluateHook(rs, 'prerouting', pkt({ daddr: '10.99.0.77', dport: 30080, iif: 'podctl0' }), local);
  assert.equal(notLocal.packet.daddr, '10.99.0.77', 'fib daddr type local guards the NodePort map');
});
