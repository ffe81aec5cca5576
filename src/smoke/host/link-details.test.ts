import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLinkDetails, parseQdiscs } from './link-details.js';

// Trimmed from `ip -d -j link show` on Debian 12 (a bridge port, a pod's veth, a macvlan).
const PORT = '[{"ifindex":11,"link_index":2,"ifname":"veth2c1d84c7","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"master":"pct-sm10","address":"7e:9a:ba:cb:af:c2","link_netnsid":0,"promiscuity":1,"allmulti":1,"linkinfo":{"info_kind":"veth","info_slave_kind":"bridge","info_slave_data":{"state":"forwarding","hairpin":true}}}]';
const POD = '[{"ifindex":2,"link_index":11,"ifname":"eth0","flags":["BROADCAST","MULTICAST","ALLMULTI","PROMISC","UP","LOWER_UP"],"mtu":1400,"address":"a6:01:f5:c3:b9:3d","link_netnsid":0,"promiscuity":1,"allmulti":1,"linkinfo":{"info_kind":"veth"}}]';
const BRIDGE = '[{"ifindex":10,"ifname":"pct-sm10","flags":["BROADCAST","MULTICAST","UP"],"mtu":1500,"address":"f6:18:96:16:39:47","linkinfo":{"info_kind":"bridge","info_data":{"stp_state":0,"vlan_filtering":1}}}]';
const MACVLAN = '[{"ifindex":3,"link_index":9,"ifname":"eth0","flags":["UP"],"mtu":1500,"address":"aa:bb:cc:dd:ee:ff","link_netnsid":0,"linkinfo":{"info_kind":"macvlan","info_data":{"mode":"private"}}}]';

test('a bridge port: its master, hairpin, and promisc from the flags (not the taps counter)', () => {
  const [port] = parseLinkDetails(PORT);
  assert.deepEqual(port, { name: 'veth2c1d84c7', ifindex: 11, linkIndex: 2, linkNetnsId: 0, mtu: 1500, mac: '7e:9a:ba:cb:af:c2', promisc: false, allmulti: false, kind: 'veth', master: 'pct-sm10', hairpin: true });
});

test('a pod interface with PROMISC and ALLMULTI set; a bridge with VLAN filtering; a macvlan mode', () => {
  const [pod] = parseLinkDetails(POD);
  assert.equal(pod!.promisc, true);
  assert.equal(pod!.allmulti, true);
  assert.equal(pod!.linkIndex, 11);
  assert.equal(parseLinkDetails(BRIDGE)[0]!.vlanFiltering, true);
  assert.equal(parseLinkDetails(MACVLAN)[0]!.mode, 'private');
});

test('qdiscs: tbf rate and burst in bytes, the root one marked', () => {
  const qdiscs = parseQdiscs('[{"kind":"tbf","handle":"1:","root":true,"options":{"rate":1000000,"burst":100000,"lat":25000}},{"kind":"ingress","handle":"ffff:","parent":"ffff:fff1","options":{}}]');
  assert.deepEqual(qdiscs, [{ kind: 'tbf', root: true, rateBytes: 1000000, burstBytes: 100000 }, { kind: 'ingress', root: false }]);
});
