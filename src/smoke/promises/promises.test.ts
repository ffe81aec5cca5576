import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkConfigList } from '../../cni/index.js';
import type { LinkDetails } from '../host/link-details.js';
import { bandwidthLimits, qdiscProblems, rateVerdict, transferPlan, wireBits } from './bandwidth.js';
import { bridgeProblems, type BridgeSeen } from './bridge.js';
import type { HostSide } from './host-side.js';
import { interfaceKindProblems, podToPod } from './interface-kind.js';
import { hostLocalProblems, missingConfiguredRoutes, staticProblems } from './ipam.js';
import { mtuPathMessage, pathHops } from './mtu-path.js';
import { tuningLinkSettings, tuningSysctls } from './tuning.js';
import { uncheckedPlugins } from './index.js';

const link = (over: Partial<LinkDetails>): LinkDetails => ({ name: 'x', ifindex: 1, mtu: 1500, mac: '', promisc: false, allmulti: false, kind: '', ...over });
const hostOf = (links: LinkDetails[]): HostSide => ({
  links,
  byName: (n) => links.find((l) => l.name === n),
  peerOf: (p) => links.find((l) => l.ifindex === p.linkIndex),
});

const bridge = link({ name: 'pct-sm10', ifindex: 10, kind: 'bridge' });
const port = link({ name: 'veth1', ifindex: 11, kind: 'veth', master: 'pct-sm10', hairpin: true, linkIndex: 2 });
const pod = link({ name: 'eth0', ifindex: 2, kind: 'veth', linkIndex: 11, mtu: 1400 });
const seen: BridgeSeen = { bridge, bridgeAddresses: ['10.0.0.1/24'], hostVeth: port, pod };

test('bridge: a kept promise has no problems; each broken one is named with what was found', () => {
  assert.deepEqual(bridgeProblems({ type: 'bridge', bridge: 'pct-sm10', isGateway: true, hairpinMode: true }, ['10.0.0.1'], seen, false), []);
  assert.deepEqual(bridgeProblems({ type: 'bridge', bridge: 'pct-sm10', isGateway: true }, ['10.0.0.9'], seen, false), [
    'isGateway: the gateway 10.0.0.9 is not an address of pct-sm10 (it has 10.0.0.1/24)',
    'hairpinMode false: port veth1 has hairpin on',
  ]);
  assert.deepEqual(bridgeProblems({ type: 'bridge', bridge: 'nope' }, [], { ...seen, bridge: undefined }, false), ['bridge nope does not exist on the host']);
  assert.deepEqual(bridgeProblems({ type: 'bridge', bridge: 'pct-sm10', hairpinMode: true, mtu: 1500 }, [], seen, false), ['mtu 1500: eth0 has mtu 1400']);
  // A tuning later in the chain owns the pod's MTU.
  assert.deepEqual(bridgeProblems({ type: 'bridge', bridge: 'pct-sm10', hairpinMode: true, mtu: 1500 }, [], seen, true), []);
  assert.deepEqual(bridgeProblems({ type: 'bridge', bridge: 'pct-sm10', hairpinMode: true, vlan: 100 }, [], { ...seen, portVlans: [1] }, false), [
    'vlan 100: pct-sm10 has VLAN filtering off',
    'vlan 100: port veth1 carries VLAN 1',
  ]);
});

test('tuning: only the settings the config names; sysctl keys with / or . alike', () => {
  const settings = tuningLinkSettings({ type: 'tuning', mtu: 1400, promisc: true, mac: 'AA:BB:CC:DD:EE:FF' });
  assert.deepEqual(settings.map((s) => [s.what, s.expected, s.seen(pod)]), [['mtu', '1400', '1400'], ['mac', 'aa:bb:cc:dd:ee:ff', ''], ['promisc', 'on', 'off']]);
  assert.deepEqual(tuningSysctls({ type: 'tuning', sysctl: { 'net/ipv4/conf/eth0/rp_filter': 2, 'net.ipv4.tcp_rmem': '4096  87380\t6291456' } }), [
    ['net.ipv4.conf.eth0.rp_filter', '2'],
    ['net.ipv4.tcp_rmem', '4096 87380 6291456'],
  ]);
});

test('bandwidth: limits need rate and burst; the qdisc must be the plugin\'s tbf at that rate', () => {
  const [ingress] = bandwidthLimits({ type: 'bandwidth', ingressRate: 8_000_000, ingressBurst: 800_000, egressRate: 1000 });
  assert.deepEqual(ingress, { direction: 'ingress', rateBits: 8_000_000, burstBits: 800_000 });
  assert.equal(bandwidthLimits({ type: 'bandwidth', egressRate: 1000 }).length, 0);
  assert.deepEqual(qdiscProblems(ingress!, 'veth1', [{ kind: 'tbf', root: true, rateBytes: 1_000_000, burstBytes: 100_000 }]), []);
  assert.deepEqual(qdiscProblems(ingress!, 'veth1', [{ kind: 'tbf', root: true, rateBytes: 250_000, burstBytes: 100_000 }]), ['ingressRate 8000000 bit/s: the tbf on veth1 shapes to 2000000 bit/s']);
  assert.deepEqual(qdiscProblems(ingress!, 'veth1', [{ kind: 'noqueue', root: true }]), ['ingressRate 8000000 bit/s: the root qdisc of veth1 is noqueue, not the plugin\'s tbf']);
  assert.deepEqual(qdiscProblems(ingress!, 'veth1', []), ['ingressRate 8000000 bit/s: veth1 has no root qdisc']);
});

test('bandwidth: the measured rate counts whole frames and must be within ±25 %', () => {
  const limit = { direction: 'ingress' as const, rateBits: 8_000_000, burstBits: 800_000 };
  const plan = transferPlan(limit);
  assert.equal(plan.offerBytesPerSecond, 1_500_000);
  assert.equal(plan.skipBytes, 100_000 + 1024);
  // 1 s of payload that is 8 Mbit/s on the wire passes; a quarter of it fails, naming the rate.
  const payloadPerSecond = (8_000_000 / 8) * (1024 / 1066);
  assert.ok(Math.abs(wireBits(payloadPerSecond) - 8_000_000) < 1);
  assert.deepEqual(rateVerdict(limit, { bytes: payloadPerSecond, ms: 1000, offered: 1_500_000, received: 1 }), { problems: [] });
  assert.deepEqual(rateVerdict(limit, { bytes: payloadPerSecond / 4, ms: 1000, offered: 1_500_000, received: 1 }).problems, ['ingressRate 8.00 Mbit/s: measured 2.00 Mbit/s (-75 %, more than ±25 % off)']);
  assert.match(rateVerdict(limit, { bytes: 0, ms: 0, offered: 500_000, received: 0 }).skipped ?? '', /the sender offered only 4\.00 Mbit\/s/);
});

test('mtu path: the hops of pod to pod through a bridge; the failure names both MTUs', () => {
  const a = link({ name: 'eth0', ifindex: 2, linkIndex: 11, mtu: 9000 });
  const b = link({ name: 'eth0', ifindex: 2, linkIndex: 12, mtu: 9000 });
  const host = hostOf([bridge, port, link({ name: 'veth2', ifindex: 12, kind: 'veth', master: 'pct-sm10' })]);
  const hops = pathHops({ label: 'pod1', link: a }, host, { label: 'pod2', link: b });
  assert.deepEqual(hops.map((h) => `${h.what} ${h.mtu}`), ['pod1 eth0 9000', 'veth veth1 1500', 'bridge pct-sm10 1500', 'veth veth2 1500', 'pod2 eth0 9000']);
  assert.equal(
    mtuPathMessage('pod1', 'pod2', '10.0.0.3', 8972, hops, '1 packets transmitted, 0 packets received'),
    "a 9000-byte packet (don't fragment) from pod1 does not reach pod2 10.0.0.3: pod1's MTU is 9000 but the path carries at most 1500 (MTUs: pod1 eth0 9000, veth veth1 1500, bridge pct-sm10 1500, veth veth2 1500, pod2 eth0 9000); 1 packets transmitted, 0 packets received",
  );
});

test('interface kinds: kind, mode and parent; macvlan modes decide whether pods may talk', () => {
  const dummy = link({ name: 'pct-smdummy', ifindex: 9 });
  const mv = link({ name: 'eth0', kind: 'macvlan', mode: 'bridge', linkIndex: 9 });
  assert.deepEqual(interfaceKindProblems({ type: 'macvlan', master: 'pct-smdummy' }, mv, hostOf([dummy]), [], []), []);
  assert.deepEqual(interfaceKindProblems({ type: 'macvlan', master: 'eth9', mode: 'private' }, mv, hostOf([dummy]), [], []), ['mode private: eth0 is in mode bridge', 'master eth9: the parent of eth0 is pct-smdummy']);
  assert.deepEqual(interfaceKindProblems({ type: 'ipvlan', master: 'pct-smdummy' }, mv, hostOf([dummy]), [], []), ['ipvlan makes a ipvlan link; eth0 is macvlan', 'mode l2: eth0 is in mode bridge']);
  const net = (main: Record<string, unknown>) => ({ plugins: [{ type: 'macvlan', ...main }] }) as unknown as NetworkConfigList;
  assert.equal(podToPod(net({ mode: 'bridge' })).expect, 'reach');
  assert.equal(podToPod(net({})).expect, 'reach');
  assert.equal(podToPod(net({ mode: 'private' })).expect, 'isolated');
  assert.equal(podToPod(net({ mode: 'vepa' })).expect, 'unknown');
});

test('ipam: host-local inside its ranges, static exactly its addresses, configured routes in the result', () => {
  const ipam = { type: 'host-local', ranges: [[{ subnet: '10.0.0.0/24', rangeStart: '10.0.0.10', rangeEnd: '10.0.0.20' }]] };
  assert.deepEqual(hostLocalProblems({ type: 'bridge', ipam }, ['10.0.0.15/24']), []);
  assert.deepEqual(hostLocalProblems({ type: 'bridge', ipam }, ['10.0.0.5/24']), ['host-local gave 10.0.0.5/24, outside every configured range (10.0.0.0/24)']);
  const stat = { type: 'static', addresses: [{ address: '10.0.1.10/24' }] };
  assert.deepEqual(staticProblems(stat, ['10.0.1.10/24']), []);
  assert.deepEqual(staticProblems(stat, ['10.0.1.11/24']), ['static address 10.0.1.10/24 is not in the result', 'the result has 10.0.1.11/24, which static was not given']);
  assert.deepEqual(missingConfiguredRoutes({ routes: [{ dst: '10.9.0.0/16', gw: '10.0.1.1' }] }, [{ dst: '10.9.0.0/16', gw: '10.0.1.1' }]), []);
  assert.deepEqual(missingConfiguredRoutes({ routes: [{ dst: '10.9.0.0/16' }] }, []), ['ipam route 10.9.0.0/16 is not in the result']);
});

test('plugins podctl knows nothing of are listed once each', () => {
  assert.deepEqual(uncheckedPlugins([{ type: 'bridge' }, { type: 'vrf' }, { type: 'tuning' }, { type: 'vrf' }]), ['vrf']);
});
