import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostDns, podDns } from './pod-files.js';
import type { DnsSpec } from './spec.js';

const base: DnsSpec = { servers: ['192.0.2.1'], searches: ['lan'], options: ['edns0'] };
const cluster = { server: '10.96.0.10', searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] };

test("ClusterFirst (the default) with the cluster DNS is the kubelet's: that server, the cluster search list then the host's, ndots:5", () => {
  assert.deepEqual(podDns(undefined, base, cluster), { servers: ['10.96.0.10'], searches: [...cluster.searches, 'lan'], options: ['ndots:5'] });
});

test('dnsConfig is merged in: servers and searches appended, options replaced by name', () => {
  const user: DnsSpec = { policy: 'ClusterFirst', servers: ['192.0.2.9'], searches: ['corp'], options: ['ndots:2', 'timeout:1'] };
  assert.deepEqual(podDns(user, base, cluster), { servers: ['10.96.0.10', '192.0.2.9'], searches: [...cluster.searches, 'lan', 'corp'], options: ['ndots:2', 'timeout:1'] });
});

test("Default is the host's resolvers; None is dnsConfig alone (as is --dns with servers and no policy)", () => {
  assert.deepEqual(podDns({ policy: 'Default', servers: [], searches: [], options: [] }, base, cluster), base);
  const none: DnsSpec = { policy: 'None', servers: ['192.0.2.9'], searches: ['a'], options: [] };
  assert.deepEqual(podDns(none, base, cluster), { servers: ['192.0.2.9'], searches: ['a'], options: [] });
  assert.deepEqual(podDns({ servers: ['192.0.2.9'], searches: [], options: [] }, base, cluster).servers, ['192.0.2.9']);
});

test('a pod the cluster DNS cannot serve keeps the host servers with the cluster search list (hosts-file names)', () => {
  assert.deepEqual(podDns(undefined, base, { searches: cluster.searches }), { servers: ['192.0.2.1'], searches: [...cluster.searches, 'lan'], options: ['ndots:5', 'edns0'] });
});

test("behind systemd-resolved's stub the host's servers are the ones resolved uses", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pct-resolv-'));
  try {
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n');
    await writeFile(join(dir, 'resolved.conf'), 'nameserver 198.51.100.7\nnameserver 198.51.100.8\n');
    assert.deepEqual(await hostDns(join(dir, 'resolv.conf'), join(dir, 'resolved.conf')), { servers: ['198.51.100.7', '198.51.100.8'], searches: ['lan'], options: [] });
    await writeFile(join(dir, 'plain.conf'), 'nameserver 192.0.2.1\n');
    assert.deepEqual((await hostDns(join(dir, 'plain.conf'), join(dir, 'resolved.conf'))).servers, ['192.0.2.1']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
