import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket, { type Packet } from 'dns-packet';
import { respond, type Forward } from './responder.js';
import { ClusterZone } from './zone.js';

const endpoints = Array.from({ length: 60 }, (_, i) => ({ ip: `10.99.1.${i + 1}`, hostname: `h${i}` }));
const zone = new ClusterZone({
  domain: 'cluster.local',
  serviceCidr: '10.96.0.0/16',
  services: [
    { name: 'web', namespace: 'default', clusterIP: '10.96.0.20', ports: [], endpoints: [] },
    { name: 'big', namespace: 'default', clusterIP: 'None', ports: [], endpoints },
    { name: 'mid', namespace: 'default', clusterIP: 'None', ports: [], endpoints: endpoints.slice(0, 20) },
  ],
  pods: [],
});
const noForward: Forward = async () => assert.fail('must not forward');
const query = (name: string, type: string, extra: Partial<Packet> = {}) =>
  dnsPacket.encode({ id: 42, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A' }], ...extra });
const ask = async (q: Buffer, transport: 'udp' | 'tcp' = 'udp', forward = noForward) => {
  const out = await respond(q, transport, zone, forward);
  return out && { out, p: dnsPacket.decode(out) as ReturnType<typeof dnsPacket.decode> & { rcode: string } };
};

test('a cluster name is answered authoritatively with the query id, RD kept and RA set', async () => {
  const r = (await ask(query('web.default.svc.cluster.local', 'A')))!;
  assert.equal(r.p.id, 42);
  assert.equal(r.p.rcode, 'NOERROR');
  assert.ok(r.p.flag_aa && r.p.flag_rd && r.p.flag_ra && !r.p.flag_tc);
  assert.deepEqual(r.p.answers!.map((a) => (a as { data: string }).data), ['10.96.0.20']);
});

test('NXDOMAIN carries the SOA', async () => {
  const r = (await ask(query('nosuch.default.svc.cluster.local', 'A')))!;
  assert.equal(r.p.rcode, 'NXDOMAIN');
  assert.equal(r.p.authorities![0]!.type, 'SOA');
});

test('over 512 bytes without EDNS0 the UDP answer is truncated (TC, no records); TCP gets it whole', async () => {
  const udp = (await ask(query('big.default.svc.cluster.local', 'A')))!;
  assert.ok(udp.p.flag_tc);
  assert.equal(udp.p.answers!.length, 0);
  assert.ok(udp.out.length <= 512);
  const tcp = (await ask(query('big.default.svc.cluster.local', 'A'), 'tcp'))!;
  assert.ok(!tcp.p.flag_tc);
  assert.equal(tcp.p.answers!.length, 60);
});

test('EDNS0: the OPT record is echoed and a larger UDP size is honoured up to 1232', async () => {
  const opt = { additionals: [{ type: 'OPT' as const, name: '.', udpPayloadSize: 4096 }] } as Partial<Packet>;
  assert.ok((await ask(query('mid.default.svc.cluster.local', 'A')))!.p.flag_tc, 'over 512 bytes without EDNS0');
  const r = (await ask(query('mid.default.svc.cluster.local', 'A', opt)))!;
  assert.ok(!r.p.flag_tc, 'about 1 KB fits 1232');
  assert.equal(r.p.answers!.length, 20);
  assert.ok(r.p.additionals!.some((a) => a.type === 'OPT'));
  const big = (await ask(query('big.default.svc.cluster.local', 'A', opt)))!;
  assert.ok(big.p.flag_tc && big.out.length <= 1232);
  assert.ok(big.p.additionals!.some((a) => a.type === 'OPT'));
});

test('other names are forwarded as received; a failed upstream is SERVFAIL', async () => {
  const q = query('example.com', 'A');
  let seen: Buffer | undefined;
  const upstreamReply = dnsPacket.encode({ id: 42, type: 'response', flags: dnsPacket.RECURSION_AVAILABLE, questions: [{ name: 'example.com', type: 'A' }], answers: [{ name: 'example.com', type: 'A', ttl: 9, data: '192.0.2.1' }] });
  const r = (await ask(q, 'udp', async (raw, question) => {
    seen = raw;
    assert.equal(question.name, 'example.com');
    return upstreamReply;
  }))!;
  assert.deepEqual(seen, q);
  assert.deepEqual(r.out, upstreamReply);
  const failed = (await ask(q, 'udp', async () => undefined))!;
  assert.equal(failed.p.rcode, 'SERVFAIL');
  const thrown = (await ask(q, 'udp', async () => Promise.reject(new Error('boom'))))!;
  assert.equal(thrown.p.rcode, 'SERVFAIL');
});

test('garbage gets FORMERR when it has a header, nothing otherwise; responses and other opcodes are not answered as queries', async () => {
  assert.equal(await respond(Buffer.from('short'), 'udp', zone, noForward), undefined);
  const garbage = Buffer.concat([Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.alloc(40, 0xff)]);
  const r = (await ask(garbage))!;
  assert.equal(r.p.id, 0xabcd);
  assert.equal(r.p.rcode, 'FORMERR');
  const response = dnsPacket.encode({ id: 1, type: 'response', questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }] });
  assert.equal(await respond(response, 'udp', zone, noForward), undefined);
  const notify = query('web.default.svc.cluster.local', 'A', { flags: 4 << 11 });
  assert.equal((await ask(notify))!.p.rcode, 'NOTIMP');
  const two = dnsPacket.encode({ id: 3, type: 'query', questions: [{ name: 'a.cluster.local', type: 'A' }, { name: 'b.cluster.local', type: 'A' }] });
  assert.equal((await ask(two))!.p.rcode, 'FORMERR');
});
