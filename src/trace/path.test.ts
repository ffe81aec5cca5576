import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracePath } from './path.js';
import { loadSnapshot } from './testing/fixtures.js';
import type { TraceResult, TraceSnapshot } from './types.js';

function traced(snap: TraceSnapshot): TraceResult {
  const out = tracePath(snap);
  assert.ok('result' in out, `the snapshot answers every question; needs: ${JSON.stringify('needs' in out ? out.needs : [])}`);
  return out.result;
}

const kinds = (r: TraceResult) => r.hops.map((h) => (h.kind === 'netfilter' ? `netfilter:${h.facts.hook}` : h.kind));

test('pod → pod on one bridge: route, veth, bridge, the three ip hooks (br_netfilter on), veth, pod, nginx listening', () => {
  const r = traced(loadSnapshot('pod-to-pod'));
  assert.deepEqual(kinds(r), ['route', 'interface', 'bridge', 'netfilter:prerouting', 'netfilter:forward', 'netfilter:postrouting', 'veth', 'pod']);
  assert.deepEqual(r.packet, { saddr: '10.99.1.17', daddr: '10.99.1.18', protocol: 'tcp', dport: 80 });
  assert.equal(r.hops[1]!.facts.hostIfname, 'vethf6ab04d2');
  assert.equal(r.hops[1]!.facts.hostIfindex, 446);
  assert.equal(r.hops[2]!.facts.bridge, 'podctl0');
  assert.ok(r.hops[4]!.details.includes('ip filter CNI-FORWARD: ip saddr 10.99.1.17 accept'), r.hops[4]!.details.join('\n'));
  assert.equal(r.hops[6]!.facts.hostIfname, 'veth9114fd5d');
  assert.deepEqual({ ...r.verdict, reason: undefined }, { outcome: 'arrives', at: 'pod default/pct-tr-b', pod: 'default/pct-tr-b', ip: '10.99.1.18', port: 80, listening: true, reason: undefined });
  assert.match(r.verdict.reason, /nginx listens on 0\.0\.0\.0:80\/tcp/);
});

test('the same pods with br_netfilter off: bridged packets never meet the ip hooks', () => {
  const r = traced({ ...loadSnapshot('pod-to-pod'), brNetfilter: false });
  assert.deepEqual(kinds(r), ['route', 'interface', 'bridge', 'veth', 'pod']);
  assert.match(r.hops[2]!.details[0]!, /br_netfilter off/);
});

test('no firewall plugin under Docker: dropped by the FORWARD policy, with the network and bridge in the fix', () => {
  const r = traced(loadSnapshot('forward-drop'));
  assert.equal(r.verdict.outcome, 'dropped');
  assert.equal(r.verdict.at, 'netfilter forward');
  assert.equal(r.verdict.reason, 'FORWARD policy DROP (set by Docker): no rule of ip filter FORWARD accepts pcttrfxnf → pcttrfxnf for 10.234.251.2 → 10.234.251.3 tcp/80');
  assert.equal(r.verdict.fix, 'chain the firewall plugin in network pct-trfx-nofw (its CNI-FORWARD chain accepts pod traffic), or allow it in DOCKER-USER: iptables -I DOCKER-USER -i pcttrfxnf -o pcttrfxnf -j ACCEPT');
  const last = r.hops.at(-1)!;
  assert.equal(last.blocks, true);
  assert.equal(last.title, 'forward (pcttrfxnf → pcttrfxnf): DROP by the policy of ip filter FORWARD (set by Docker)');
});

test('a route via a gateway nobody on the bridge has: dropped at the bridge, the fix names the bridge address', () => {
  const r = traced(loadSnapshot('gateway-not-bridge'));
  assert.deepEqual(kinds(r), ['route', 'interface', 'bridge']);
  assert.equal(r.hops[0]!.facts.gateway, '10.234.252.254');
  assert.equal(r.verdict.outcome, 'dropped');
  assert.equal(r.verdict.at, 'bridge pcttrfxgw');
  assert.match(r.verdict.reason, /^the pod's route sends 198\.51\.100\.7 via 10\.234\.252\.254, which no interface on bridge pcttrfxgw has \(ARP for 10\.234\.252\.254 gets no answer; the bridge has 10\.234\.252\.1\/24\)$/);
  assert.match(r.verdict.fix!, /gateway \(10\.234\.252\.1\)/);
});

test('host → pod on a port nothing listens on: output and postrouting, then the pod, with what it does listen on', () => {
  const r = traced(loadSnapshot('host-to-pod-not-listening'));
  assert.deepEqual(kinds(r), ['route', 'netfilter:output', 'netfilter:postrouting', 'bridge', 'veth', 'pod']);
  assert.equal(r.packet.saddr, '10.99.0.1');
  assert.equal(r.verdict.outcome, 'arrives');
  assert.equal(r.verdict.listening, false);
  assert.match(r.verdict.reason, /nothing listens on tcp\/81 there \(it listens on tcp 80\)$/);
});

test('pod → host:PORT: portmap DNAT in prerouting, the route looked up again, masquerade by the hostport mark', () => {
  const r = traced(loadSnapshot('pod-to-hostport'));
  assert.deepEqual(kinds(r), ['route', 'interface', 'bridge', 'netfilter:prerouting', 'route', 'netfilter:forward', 'netfilter:postrouting', 'bridge', 'veth', 'pod']);
  assert.equal(r.hops[3]!.facts.nat, 'dnat to 10.99.1.17:80');
  assert.ok(r.hops[3]!.details.some((d) => d.includes('CNI-HOSTPORT-SETMARK') && d.includes('mark set 0x2000')));
  assert.equal(r.hops[6]!.facts.nat, 'masquerade');
  assert.equal(r.verdict.pod, 'default/pct-tr-a');
  assert.equal(r.verdict.port, 80);
});

test('a pod to its own address stays in the pod (lo)', () => {
  const r = traced(loadSnapshot('pod-to-itself'));
  assert.deepEqual(kinds(r), ['route', 'pod']);
  assert.equal(r.hops[0]!.facts.dev, 'lo');
  assert.equal(r.verdict.listening, true);
});

test('no route in the source namespace: dropped at the route with the kernel\'s reason', () => {
  const snap = loadSnapshot('pod-to-pod');
  snap.routes['pct-tr-a 10.99.1.18'] = { error: 'RTNETLINK answers: Network is unreachable' };
  const r = traced(snap);
  assert.deepEqual(kinds(r), ['route']);
  assert.equal(r.verdict.outcome, 'dropped');
  assert.match(r.verdict.reason, /no route to 10\.99\.1\.18 in pod default\/pct-tr-a: RTNETLINK answers: Network is unreachable/);
});

test('a missing answer is asked for, not guessed', () => {
  const snap = loadSnapshot('pod-to-pod');
  delete snap.listeners['pct-tr-b'];
  assert.deepEqual(tracePath(snap), { needs: [{ kind: 'listeners', netns: 'pct-tr-b' }] });
  const dnat = loadSnapshot('pod-to-hostport');
  delete dnat.routes[' 10.99.1.17'];
  assert.deepEqual(tracePath(dnat), { needs: [{ kind: 'route', netns: '', dst: '10.99.1.17' }] });
});

// pod-to-service: the pod-to-pod host with podctl's Services table added (rendered by
// src/service for a service web → both pods, and one without endpoints; loaded with nft -f in a
// scratch namespace and listed back), and the routes `ip route get` gives there.
const toService = (to: string, port = 80, from = 'pct-tr-a'): TraceSnapshot => {
  const snap = loadSnapshot('pod-to-service');
  return { ...snap, request: { from: from === 'host' ? { kind: 'host' } : { kind: 'pod', namespace: 'default', name: from }, to: { kind: 'service', namespace: 'default', name: to }, protocol: 'tcp', port } };
};

test('pod → service: via the gateway to the host, the map element, every endpoint, the DNAT, on to the endpoint pod; the other endpoint followed too', () => {
  const r = traced(toService('web', 80, 'pct-tr-b'));
  assert.deepEqual(kinds(r), ['route', 'interface', 'bridge', 'netfilter:prerouting', 'service', 'route', 'netfilter:forward', 'netfilter:postrouting', 'bridge', 'veth', 'pod']);
  const svc = r.hops[4]!;
  assert.equal(svc.title, 'service default/web 10.96.0.10:80/tcp (ClusterIP): 2 endpoint(s), DNAT to 10.99.1.17:80 (pod default/pct-tr-a)');
  assert.deepEqual(svc.details, [
    'map: services: ip daddr . meta l4proto . th dport vmap @service-ips → goto svc-default/web/tcp/http',
    '→ endpoint 10.99.1.17:80 pod default/pct-tr-a',
    '  endpoint 10.99.1.18:80 pod default/pct-tr-b',
  ]);
  assert.equal(r.verdict.pod, 'default/pct-tr-a');
  assert.deepEqual(r.alternatives?.map((a) => [a.endpoint, a.verdict.outcome, a.verdict.pod]), [['10.99.1.18:80', 'arrives', 'default/pct-tr-b']]);
});

test('pod → its own service: hairpin through its own veth, masqueraded by the service mark', () => {
  const r = traced(toService('web'));
  const bridge = r.hops.filter((h) => h.kind === 'bridge').at(-1)!;
  assert.match(bridge.title, /back out of the port it came in on \(hairpin\)/);
  assert.equal(r.hops.find((h) => h.facts.hook === 'postrouting')?.facts.nat, 'masquerade');
  assert.equal(r.verdict.outcome, 'arrives');
  const off = toService('web');
  for (const l of off.links['']!) if (l.linkinfo?.info_slave_data) l.linkinfo.info_slave_data.hairpin = false;
  const blocked = traced(off);
  assert.equal(blocked.verdict.outcome, 'dropped');
  assert.match(blocked.verdict.reason, /by the port it came in on \(vethf6ab04d2\), and hairpin mode is off there/);
  assert.match(blocked.verdict.fix!, /"hairpinMode": true/);
});

test('a service without endpoints is rejected, and the fix says why', () => {
  const r = traced(toService('empty'));
  assert.equal(r.verdict.outcome, 'rejected');
  assert.equal(r.verdict.at, 'netfilter forward');
  assert.match(r.verdict.reason, /^service default\/empty has no endpoints: podctl's Services table rejects it/);
  assert.match(r.verdict.fix!, /podctl get endpoints empty -n default/);
});

test('a ClusterIP on a port the service does not have is rejected as such', () => {
  const r = traced(toService('web', 81));
  assert.equal(r.verdict.outcome, 'rejected');
  assert.equal(r.verdict.reason, '10.96.0.10 is a ClusterIP, but no service port 81/tcp is on it');
});

test('pod → an address off the host: forwarded out of the host\'s interface, masqueraded by the bridge plugin\'s chain', () => {
  const snap = loadSnapshot('pod-to-pod');
  snap.request = { ...snap.request, to: { kind: 'ip', ip: '198.51.100.7' } };
  // What `ip route get` answers on that host: the pod's default route, the host's default route.
  snap.routes['pct-tr-a 198.51.100.7'] = { dst: '198.51.100.7', gateway: '10.99.0.1', dev: 'eth0', prefsrc: '10.99.1.17' };
  snap.routes[' 198.51.100.7'] = { dst: '198.51.100.7', gateway: '192.0.2.1', dev: 'eth0', prefsrc: '192.0.2.2' };
  const r = traced(snap);
  assert.deepEqual(kinds(r), ['route', 'interface', 'bridge', 'netfilter:prerouting', 'route', 'netfilter:forward', 'netfilter:postrouting', 'host']);
  assert.equal(r.hops[6]!.facts.nat, 'masquerade');
  assert.equal(r.hops[7]!.title, 'leaves the host on eth0 via 192.0.2.1 (masqueraded)');
  assert.equal(r.verdict.outcome, 'leaves-host');
  const off = traced({ ...snap, ipForward: false });
  assert.equal(off.verdict.outcome, 'dropped');
  assert.equal(off.hops.at(-1)!.title, 'net.ipv4.ip_forward = 0: the host does not route from podctl0 to eth0');
  assert.equal(off.verdict.fix, 'sysctl -w net.ipv4.ip_forward=1');
});

test('host → host:PORT from 127.0.0.1: DNAT in output, and the loopback source may leave by the bridge only with route_localnet', () => {
  const snap = loadSnapshot('host-to-hostport');
  const r = traced(snap);
  assert.deepEqual(kinds(r), ['route', 'netfilter:output', 'route', 'netfilter:postrouting', 'bridge', 'veth', 'pod']);
  assert.equal(r.hops[1]!.facts.nat, 'dnat to 10.99.3.34:80');
  assert.equal(r.verdict.listening, true);
  const off = traced({ ...snap, sysctls: { 'net/ipv4/conf/podctl0/route_localnet': '0' } });
  assert.equal(off.verdict.outcome, 'dropped');
  assert.match(off.verdict.reason, /net\.ipv4\.conf\.podctl0\.route_localnet is 0: the kernel drops it as a martian/);
});
