import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import dnsPacket from 'dns-packet';
import { LeakChecker } from './harness/leaks.js';
import { eventually, execInPod, inspectPod, podctl, podctlOk, sh, uniqueName } from './harness/run.js';
import { FAKE_UPSTREAM, startFakeUpstream } from './harness/fake-upstream.js';

// The cluster DNS on the real kernel: the server podctl starts for the first pod, reached at
// the kube-dns ClusterIP from pods (busybox nslookup, glibc getent in the nginx image) and from
// the host (Node's resolver, dig over UDP and TCP). Names outside cluster.local go to a fake
// upstream that this test runs in a network namespace of its own ($PODCTL_DNS_UPSTREAM, read
// by the server when podctl starts it), so no query leaves the machine.
const tag = process.pid.toString(36);
process.env.PODCTL_DNS_UPSTREAM = FAKE_UPSTREAM;

const client = uniqueName('dns-cli');
const web = uniqueName('dns-web');
const glibc = uniqueName('dns-ngx');
const app = uniqueName('dnsapp');
let work: string;
let leaks: LeakChecker;
let upstream: { stop: () => Promise<void> } | undefined;
let dnsIP: string;

async function manifest(name: string, text: string): Promise<string> {
  const path = join(work, `${name}.yaml`);
  await writeFile(path, text);
  return path;
}

const nslookup = (pod: string, ...args: string[]) => execInPod(pod, ['nslookup', ...args]);
const host = () => {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([dnsIP]);
  return r;
};

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-dns-'));
  upstream = await startFakeUpstream(tag);
  await podctlOk(['run', '--image', 'busybox', '--name', client, '--stop-timeout', '1', '--', 'sleep', '3600']);
  dnsIP = (JSON.parse((await podctlOk(['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'json'])).stdout) as { spec: { clusterIP: string } }).spec.clusterIP;
});

after(async () => {
  await podctl(['delete', '-f', work, '--ignore-not-found']);
  await podctl(['rm', '-f', client, web, glibc]);
  await upstream?.stop();
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

describe('cluster DNS', () => {
  it('gives pods the kubelet resolv.conf and a hosts file with only their own lines', async () => {
    assert.equal(dnsIP, '10.96.0.10');
    const resolv = (await execInPod(client, ['cat', '/etc/resolv.conf'])).stdout;
    assert.match(resolv, /^nameserver 10\.96\.0\.10$/m);
    assert.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m);
    assert.match(resolv, /^options ndots:5$/m);
    await podctlOk(['apply', '-f', await manifest('svc', `apiVersion: v1
kind: Service
metadata: { name: web-${tag} }
spec:
  selector: { app: ${app} }
  ports: [{ name: http, port: 80, targetPort: 80 }]
`)]);
    const hosts = (await execInPod(client, ['cat', '/etc/hosts'])).stdout;
    assert.doesNotMatch(hosts, /web-/);
    assert.match(hosts, new RegExp(`\\t${client}`));
  });

  it('answers A, SRV and PTR to busybox nslookup for a Service made after the pod', async () => {
    const svc = JSON.parse((await podctlOk(['get', 'svc', `web-${tag}`, '-o', 'json'])).stdout) as { spec: { clusterIP: string } };
    const a = await nslookup(client, `web-${tag}.default.svc.cluster.local`);
    assert.equal(a.exitCode, 0, a.stdout + a.stderr);
    assert.match(a.stdout, new RegExp(`Address: ${svc.spec.clusterIP.replace(/\./g, '\\.')}`));
    const srv = await nslookup(client, '-type=SRV', `_http._tcp.web-${tag}.default.svc.cluster.local`);
    assert.match(srv.stdout, new RegExp(`service = 0 100 80 web-${tag}\\.default\\.svc\\.cluster\\.local`));
    const ptr = await nslookup(client, svc.spec.clusterIP);
    assert.match(ptr.stdout, new RegExp(`name = web-${tag}\\.default\\.svc\\.cluster\\.local`));
    const missing = await nslookup(client, `nosuch-${tag}.default.svc.cluster.local`);
    assert.notEqual(missing.exitCode, 0);
    assert.match(missing.stdout + missing.stderr, /NXDOMAIN/);
  });

  it('resolves short names through the search list with glibc (getent in the nginx image)', async () => {
    // The seeded nginx image has glibc (nginx's libraries) but no getent: the host's, read-only, is the same Debian's.
    await podctlOk(['run', '--image', 'nginx', '--name', glibc, '--stop-timeout', '1', '--volume', '/usr/bin/getent:/usr/bin/getent:ro']);
    const r = await execInPod(glibc, ['getent', 'hosts', `web-${tag}`]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^10\\.96\\.\\S+\\s+web-${tag}\\.default\\.svc\\.cluster\\.local`));
  });

  it('follows a headless Service as its pod becomes ready and goes away', async () => {
    await podctlOk(['apply', '-f', await manifest('headless', `apiVersion: v1
kind: Service
metadata: { name: hl-${tag} }
spec:
  clusterIP: None
  selector: { app: ${app} }
  ports: [{ name: http, port: 80, targetPort: 80 }]
`)]);
    const name = `hl-${tag}.default.svc.cluster.local`;
    await assert.rejects(host().resolve4(name), /ENODATA/);
    await podctlOk(['run', '--image', 'busybox', '--name', web, '--label', `app=${app}`, '--stop-timeout', '1', '--wait-http', ':80/', '--',
      'sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www']);
    const ip = (await inspectPod(web)).ips[0]!.split('/')[0]!;
    assert.deepEqual(await eventually(async () => {
      const found = await host().resolve4(name);
      if (found.length === 0) throw new Error('not yet');
      return found;
    }), [ip]);
    const srv = await host().resolveSrv(`_http._tcp.${name}`);
    assert.deepEqual(srv.map((s) => [s.name, s.port]), [[`${ip.replace(/\./g, '-')}.${name}`, 80]]);
    await podctlOk(['rm', '-f', web]);
    await eventually(() => assert.rejects(host().resolve4(name), /ENODATA/));
  });

  it('names a StatefulSet pod <pod>.<service>.<ns>.svc.cluster.local', async () => {
    await podctlOk(['apply', '-f', await manifest('sts', `apiVersion: v1
kind: Service
metadata: { name: sts-${tag} }
spec:
  clusterIP: None
  selector: { app: sts-${tag} }
  ports: [{ name: http, port: 80 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: sts-${tag} }
spec:
  serviceName: sts-${tag}
  replicas: 1
  selector: { matchLabels: { app: sts-${tag} } }
  template:
    metadata: { labels: { app: sts-${tag} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: main, image: busybox, command: [sleep, '3600'] }]
`)]);
    const ip = (JSON.parse((await podctlOk(['get', 'pod', `sts-${tag}-0`, '-o', 'json'])).stdout) as { status: { podIP: string } }).status.podIP;
    const r = await nslookup(client, `sts-${tag}-0.sts-${tag}.default.svc.cluster.local`);
    assert.match(r.stdout, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}`), r.stdout + r.stderr);
    assert.deepEqual(await host().reverse(ip), [`sts-${tag}-0.sts-${tag}.default.svc.cluster.local`]);
    const pod = await nslookup(client, `${ip.replace(/\./g, '-')}.default.pod.cluster.local`);
    assert.match(pod.stdout, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}`));
  });

  it('answers dig over UDP and TCP from the host, authoritatively', async () => {
    for (const transport of ['+notcp', '+tcp']) {
      const r = await execa('dig', [`@${dnsIP}`, transport, '+time=2', '+tries=1', 'kube-dns.kube-system.svc.cluster.local', 'A'], { reject: false });
      assert.match(String(r.stdout), /status: NOERROR/);
      assert.match(String(r.stdout), /flags: qr aa/);
      assert.match(String(r.stdout), /kube-dns\.kube-system\.svc\.cluster\.local\.\s+5\s+IN\s+A\s+10\.96\.0\.10/);
    }
    const nodata = await execa('dig', [`@${dnsIP}`, '+time=2', '+tries=1', 'kube-dns.kube-system.svc.cluster.local', 'AAAA'], { reject: false });
    assert.match(String(nodata.stdout), /status: NOERROR.*\n.*ANSWER: 0/);
    assert.match(String(nodata.stdout), /SOA/);
  });

  it('forwards other names to the upstream resolver, never cluster.local', async () => {
    assert.deepEqual(await host().resolve4('example.test'), ['192.0.2.7']);
    const r = await nslookup(client, 'example.test');
    assert.match(r.stdout, /Address: 192\.0\.2\.7/);
    await assert.rejects(host().resolve4('other.test'), /ENOTFOUND/);
  });

  it('survives garbage, huge names and ANY, and still answers', async () => {
    const socket = createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (m) => replies.push(m));
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    const send = (b: Buffer) => new Promise<void>((resolve) => socket.send(b, 53, dnsIP, () => resolve()));
    await send(Buffer.from('x'));
    await send(Buffer.alloc(300, 0xff));
    await send(Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.alloc(600, 63)]));
    await send(dnsPacket.encode({ id: 7, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'kube-dns.kube-system.svc.cluster.local', type: 'ANY' as 'A' }] }));
    const any = await eventually(async () => {
      const found = replies.map((m) => dnsPacket.decode(m)).find((p) => p.id === 7);
      if (!found) throw new Error('no answer to ANY yet');
      return found;
    });
    socket.close();
    assert.ok(any.answers?.some((a) => a.type === 'A'));
    assert.deepEqual(await host().resolve4('kube-dns.kube-system.svc.cluster.local'), ['10.96.0.10']);
  });

  it('is reached only from the host and the pods: the server address is guarded', async () => {
    const rules = await sh('nft', ['list', 'table', 'ip', 'podctl']);
    assert.match(rules, /th dport 53 iifname != \{ "lo", "\S+" \} drop/);
    const pid = JSON.parse(await readFile('/run/podctl/dns/server.pid', 'utf8')) as { pid: number };
    assert.match(await readFile(`/proc/${pid.pid}/cmdline`, 'utf8'), /dns\/main\.js/);
  });
});
