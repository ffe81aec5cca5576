import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { Forwarder, cacheSeconds } from './forwarder.js';

const reply = (ttl: number, rcode = 0) =>
  dnsPacket.encode({ id: 1, type: 'response', flags: rcode, questions: [{ name: 'example.test', type: 'A' }], answers: rcode ? [] : [{ name: 'example.test', type: 'A', ttl, data: '192.0.2.1' }], authorities: rcode ? [{ name: 'test', type: 'SOA', ttl, data: { mname: 'ns.test', rname: 'h.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 } }] : [] });

test('answers are cached for their smallest TTL (at most 300 s), negative ones at most 30 s, failures never', () => {
  assert.equal(cacheSeconds(reply(60)), 60);
  assert.equal(cacheSeconds(reply(86400)), 300);
  assert.equal(cacheSeconds(reply(3600, 3)), 30);
  assert.equal(cacheSeconds(reply(60, 2)), 0);
  assert.equal(cacheSeconds(Buffer.from('junk')), 0);
});

test('forwards to a local upstream, puts the client id back, and answers again from the cache', async () => {
  const upstream = createSocket('udp4');
  let asked = 0;
  upstream.on('message', (m, r) => {
    asked++;
    const q = dnsPacket.decode(m);
    upstream.send(dnsPacket.encode({ id: q.id, type: 'response', questions: q.questions, answers: [{ name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.9' }] }), r.port, r.address);
  });
  await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', resolve));
  let now = 1_000_000;
  const forwarder = new Forwarder(() => [{ host: '127.0.0.1', port: upstream.address().port }], () => now);
  const question = { name: 'example.test', type: 'A', class: 'IN', variant: '' };
  const query = (id: number) => dnsPacket.encode({ id, type: 'query', questions: [{ name: 'example.test', type: 'A' }] });
  try {
    const first = dnsPacket.decode((await forwarder.forward(query(11), question, 'udp'))!);
    assert.equal(first.id, 11);
    assert.deepEqual(first.answers!.map((a) => (a as { data: string }).data), ['192.0.2.9']);
    const second = dnsPacket.decode((await forwarder.forward(query(12), question, 'udp'))!);
    assert.equal(second.id, 12);
    assert.equal(asked, 1);
    now += 61_000;
    await forwarder.forward(query(13), question, 'udp');
    assert.equal(asked, 2);
  } finally {
    upstream.close();
  }
});

test('no upstream answering is undefined (the responder makes it SERVFAIL)', async () => {
  const forwarder = new Forwarder(() => []);
  assert.equal(await forwarder.forward(Buffer.alloc(12), { name: 'x', type: 'A', class: 'IN', variant: '' }, 'udp'), undefined);
});
