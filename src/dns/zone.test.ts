import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterZone, reverseAddress, type ZoneData } from './zone.js';

const DATA: ZoneData = {
  domain: 'cluster.local',
  serviceCidr: '10.96.0.0/16',
  services: [
    { name: 'web', namespace: 'shop', clusterIP: '10.96.0.20', ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 81 }], endpoints: [] },
    {
      name: 'db',
      namespace: 'shop',
      clusterIP: 'None',
      ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }],
      endpoints: [
        { ip: '10.99.0.5', hostname: 'db-0' },
        { ip: '10.99.0.6', hostname: '10-99-0-6' },
      ],
    },
    { name: 'empty', namespace: 'shop', clusterIP: 'None', ports: [], endpoints: [] },
  ],
  pods: [
    { namespace: 'shop', ip: '10.99.0.5' },
    { namespace: 'shop', ip: '10.99.0.7' },
  ],
};
const zone = new ClusterZone(DATA);
const data = (name: string, type: string) => zone.answer(name, type).answers.map((a) => (a as { data: unknown }).data);

test('A for a ClusterIP service, case-insensitive, answered under the name asked', () => {
  const r = zone.answer('WEB.shop.svc.cluster.local.', 'A');
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers.map((a) => [a.name, (a as { data: string }).data]), [['WEB.shop.svc.cluster.local.', '10.96.0.20']]);
});

test('a headless service answers its ready endpoints, and each endpoint its own name', () => {
  assert.deepEqual(data('db.shop.svc.cluster.local', 'A'), ['10.99.0.5', '10.99.0.6']);
  assert.deepEqual(data('db-0.db.shop.svc.cluster.local', 'A'), ['10.99.0.5']);
  assert.deepEqual(data('10-99-0-6.db.shop.svc.cluster.local', 'A'), ['10.99.0.6']);
});

test('SRV for named ports only: the service for a ClusterIP, each endpoint for headless, with their addresses', () => {
  assert.deepEqual(data('_http._tcp.web.shop.svc.cluster.local', 'SRV'), [{ priority: 0, weight: 100, port: 80, target: 'web.shop.svc.cluster.local' }]);
  const r = zone.answer('_pg._tcp.db.shop.svc.cluster.local', 'SRV');
  assert.deepEqual(r.answers.map((a) => (a as { data: { target: string } }).data.target), ['db-0.db.shop.svc.cluster.local', '10-99-0-6.db.shop.svc.cluster.local']);
  assert.deepEqual(r.additionals.map((a) => (a as { data: string }).data), ['10.99.0.5', '10.99.0.6']);
  assert.equal(zone.answer('_81._tcp.web.shop.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
});

test('NODATA (NOERROR, SOA, no answer) for other types and for names above records; NXDOMAIN for the rest', () => {
  for (const [name, type] of [['web.shop.svc.cluster.local', 'AAAA'], ['empty.shop.svc.cluster.local', 'A'], ['shop.svc.cluster.local', 'A'], ['svc.cluster.local', 'A'], ['_tcp.web.shop.svc.cluster.local', 'A'], ['cluster.local', 'A']]) {
    const r = zone.answer(name!, type!);
    assert.equal(r.rcode, 'NOERROR', name);
    assert.equal(r.answers.length, 0, name);
    assert.equal(r.authorities[0]?.type, 'SOA', name);
  }
  for (const name of ['nosuch.shop.svc.cluster.local', 'web.other.svc.cluster.local', 'x.cluster.local']) {
    const r = zone.answer(name, 'A');
    assert.equal(r.rcode, 'NXDOMAIN', name);
    assert.equal(r.authorities[0]?.type, 'SOA');
  }
});

test('pod A records a-b-c-d.<ns>.pod for pods that exist in that namespace only', () => {
  assert.deepEqual(data('10-99-0-7.shop.pod.cluster.local', 'A'), ['10.99.0.7']);
  assert.equal(zone.answer('10-99-0-7.other.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(zone.answer('10-99-0-99.shop.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
});

test('PTR for ClusterIPs, headless endpoints (their service name first) and pods', () => {
  assert.deepEqual(data('20.0.96.10.in-addr.arpa', 'PTR'), ['web.shop.svc.cluster.local']);
  assert.deepEqual(data('5.0.99.10.in-addr.arpa', 'PTR'), ['db-0.db.shop.svc.cluster.local']);
  assert.deepEqual(data('7.0.99.10.in-addr.arpa', 'PTR'), ['10-99-0-7.shop.pod.cluster.local']);
  assert.equal(zone.answer('99.0.96.10.in-addr.arpa', 'PTR').rcode, 'NXDOMAIN');
});

test('the zone owns cluster.local and reverse names of the service range and known pods; everything else is forwarded', () => {
  assert.ok(zone.handles('anything.cluster.local'));
  assert.ok(zone.handles('CLUSTER.LOCAL.'));
  assert.ok(zone.handles('99.0.96.10.in-addr.arpa'));
  assert.ok(zone.handles('7.0.99.10.in-addr.arpa'));
  assert.ok(!zone.handles('8.8.8.8.in-addr.arpa'));
  assert.ok(!zone.handles('example.com'));
  assert.ok(!zone.handles('notcluster.local'));
});

test('ANY gives what the name has; dns-version TXT is the spec schema version', () => {
  assert.deepEqual(data('web.shop.svc.cluster.local', 'ANY'), ['10.96.0.20']);
  assert.deepEqual(data('dns-version.cluster.local', 'TXT'), ['1.1.0']);
});

test('reverseAddress reads only whole IPv4 reverse names', () => {
  assert.equal(reverseAddress('4.3.2.1.in-addr.arpa.'), '1.2.3.4');
  assert.equal(reverseAddress('3.2.1.in-addr.arpa'), undefined);
  assert.equal(reverseAddress('300.3.2.1.in-addr.arpa'), undefined);
});
