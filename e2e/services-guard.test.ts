import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { PODCTL, getOnNewConnection, inspectPod, podctl, podctlOk, sh, uniqueName } from './harness/run.js';
import { PodManager } from '../src/pod/manager.js';
import { defaultStatePaths } from '../src/util/paths.js';

// Who reaches a Service, on the real kernel. A neighbour is simulated by a network namespace of
// the test's own on a veth (198.51.100.0/30, a documentation range) that routes the pod and
// service ranges through this host, as a machine on the LAN could. It must get nothing from a
// ClusterIP or a NodePort, whatever the FORWARD policy, unless NodePorts are opened with
// PODCTL_NODEPORT_ADDRESSES. The same neighbour plays another tool's client whose connection
// the tool DNATs to 127.0.0.1 (it must keep working while podctl guards route_localnet).
// And a pod's hosts file, read 1,000+ times from inside the pod while podctl rewrites it 100+
// times, is never seen empty or partial.
const tag = process.pid.toString(36);
const NEIGHBOUR = `pct-nb-${tag}`;
const HOST_IF = `pnb${tag}h`;
const NB_IF = `pnb${tag}n`;
const HOST_IP = '198.51.100.1';
const NB_IP = '198.51.100.2';
const OTHER_TABLE = `pct-other-${tag}`;
const web = uniqueName('guard-web');
const app = uniqueName('guard-app');
let leaks: LeakChecker;
let podIp: string;
let clusterIP: string;
let nodePort: number;
let forwardPolicy: string;

const service = (name: string, selector: string, type = 'NodePort') => `apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  type: ${type}
  selector: { app: ${selector} }
  ports: [{ name: http, port: 80, targetPort: 80 }]
`;

/** The HTTP status the neighbour gets (000: no answer within 2 s, refused or reset). */
async function fromNeighbour(host: string, port: number): Promise<string> {
  const r = await execa('ip', ['netns', 'exec', NEIGHBOUR, 'curl', '--noproxy', '*', '-s', '-m', '2', '-o', '/dev/null', '-w', '%{http_code}', `http://${host}:${port}/`], { reject: false });
  return String(r.stdout).trim() || '000';
}

const setForwardPolicy = (policy: string) => sh('iptables', ['-w', '-P', 'FORWARD', policy]);

before(async () => {
  leaks = await LeakChecker.start();
  forwardPolicy = /^-P FORWARD (\S+)$/m.exec(await sh('iptables', ['-w', '-S', 'FORWARD']))?.[1] ?? 'DROP';
  await podctlOk(['run', '--image', 'busybox', '--name', web, '--label', `app=${app}`, '--stop-timeout', '1', '--wait-http', ':80/', '--',
    'sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www']);
  const cidr = (await inspectPod(web)).ips[0]!;
  podIp = cidr.split('/')[0]!;
  await podctlOk(['apply', '-f', '-'], { input: service('guard', app) });
  const svc = JSON.parse((await podctlOk(['get', 'svc', 'guard', '-o', 'json'])).stdout) as { spec: { clusterIP: string; ports: Array<{ nodePort: number }> } };
  clusterIP = svc.spec.clusterIP;
  nodePort = svc.spec.ports[0]!.nodePort;
  // The neighbour: its own namespace, a veth to the host, routes to the pod and service ranges.
  await sh('ip', ['netns', 'add', NEIGHBOUR]);
  await sh('ip', ['link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NB_IF, 'netns', NEIGHBOUR]);
  await sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', HOST_IF]);
  await sh('ip', ['link', 'set', HOST_IF, 'up']);
  await sh('ip', ['-n', NEIGHBOUR, 'addr', 'add', `${NB_IP}/30`, 'dev', NB_IF]);
  await sh('ip', ['-n', NEIGHBOUR, 'link', 'set', NB_IF, 'up']);
  for (const range of ['10.99.0.0/16', '10.96.0.0/16']) await sh('ip', ['-n', NEIGHBOUR, 'route', 'add', range, 'via', HOST_IP]);
});

after(async () => {
  await setForwardPolicy(forwardPolicy);
  await execa('nft', ['delete', 'table', 'ip', OTHER_TABLE], { reject: false });
  await execa('ip', ['netns', 'del', NEIGHBOUR], { reject: false });
  await podctl(['delete', 'svc', 'guard', 'guard-rw', 'guard-stop', '--ignore-not-found']);
  await podctl(['rm', '-f', web]);
  await leaks.assertClean();
});

describe('who reaches a Service', () => {
  it('answers the host and pods on the ClusterIP and NodePorts (the checks below mean something)', async () => {
    assert.equal(await getOnNewConnection(clusterIP, 80), web);
    assert.equal(await getOnNewConnection('127.0.0.1', nodePort), web);
    assert.equal(await getOnNewConnection('10.99.0.1', nodePort), web);
  });

  for (const policy of ['DROP', 'ACCEPT']) {
    it(`gives a neighbour nothing from the ClusterIP or a NodePort, with FORWARD policy ${policy}`, async () => {
      await setForwardPolicy(policy);
      try {
        assert.equal(await fromNeighbour(clusterIP, 80), '000', 'ClusterIP');
        assert.equal(await fromNeighbour('10.99.0.1', nodePort), '000', 'NodePort on the bridge address');
        assert.equal(await fromNeighbour(HOST_IP, nodePort), '000', 'NodePort on the host address of its link');
        if (policy === 'ACCEPT') assert.equal(await fromNeighbour(podIp, 80), '200', 'the pod IP itself is the CNI config\'s business (and proves the path)');
      } finally {
        await setForwardPolicy(forwardPolicy);
      }
    });
  }

  it('opens NodePorts to the neighbour on the host address of its link with PODCTL_NODEPORT_ADDRESSES=all (FORWARD ACCEPT), never the ClusterIP', async () => {
    await setForwardPolicy('ACCEPT');
    try {
      // A re-apply syncs the rules with this process's setting.
      await podctlOk(['apply', '-f', '-'], { input: service('guard', app), env: { PODCTL_NODEPORT_ADDRESSES: 'all' } });
      assert.equal(await fromNeighbour(HOST_IP, nodePort), '200');
      assert.equal(await fromNeighbour(clusterIP, 80), '000');
      assert.equal(await getOnNewConnection('127.0.0.1', nodePort), web, '127.0.0.1 NodePorts work in all mode too');
      await podctlOk(['apply', '-f', '-'], { input: service('guard', app), env: { PODCTL_NODEPORT_ADDRESSES: `${HOST_IP}/32` } });
      assert.equal(await fromNeighbour(HOST_IP, nodePort), '200', 'a listed address');
      await podctlOk(['apply', '-f', '-'], { input: service('guard', app) });
      assert.equal(await fromNeighbour(HOST_IP, nodePort), '000', 'closed again by default');
    } finally {
      await setForwardPolicy(forwardPolicy);
    }
    const bad = await podctl(['get', 'svc'], { env: { PODCTL_NODEPORT_ADDRESSES: 'everywhere' } });
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stderr, /^podctl: PODCTL_NODEPORT_ADDRESSES: "everywhere" is not an IPv4 address or prefix/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  });

  it('keeps another tool\'s DNAT to 127.0.0.1 working while the route_localnet guard stands, and the guard still drops what was not DNATed', async () => {
    const server: Server = createServer((_req, res) => res.end('other tool\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      assert.match(await sh('nft', ['list', 'chain', 'ip', 'podctl', 'filter-input']), /ip daddr 127\.0\.0\.0\/8 ct state new ct status ! dnat drop/);
      // The other tool: its own table DNATs port 18080 on its interface to 127.0.0.1 and, as it
      // must for that, sets route_localnet on that interface (the test's own veth).
      await sh('sysctl', ['-qw', `net.ipv4.conf.${HOST_IF}.route_localnet=1`]);
      await sh('nft', ['add', 'table', 'ip', OTHER_TABLE]);
      await sh('nft', ['add', 'chain', 'ip', OTHER_TABLE, 'pre', '{ type nat hook prerouting priority dstnat; policy accept; }']);
      await sh('nft', ['add', 'rule', 'ip', OTHER_TABLE, 'pre', 'iifname', HOST_IF, 'tcp', 'dport', '18080', 'dnat', 'to', `127.0.0.1:${port}`]);
      const r = await execa('ip', ['netns', 'exec', NEIGHBOUR, 'curl', '--noproxy', '*', '-s', '-m', '3', `http://${HOST_IP}:18080/`], { reject: false });
      assert.equal(String(r.stdout), 'other tool', `curl exited ${r.exitCode}`);
      // Straight to 127.0.0.1 (the neighbour routes it to the host; its own lo is down): dropped.
      await sh('ip', ['netns', 'exec', NEIGHBOUR, 'sysctl', '-qw', `net.ipv4.conf.${NB_IF}.route_localnet=1`]);
      await sh('ip', ['-n', NEIGHBOUR, 'route', 'add', '127.0.0.1/32', 'via', HOST_IP, 'dev', NB_IF]);
      assert.equal(await fromNeighbour('127.0.0.1', port), '000');
    } finally {
      server.close();
      await execa('nft', ['delete', 'table', 'ip', OTHER_TABLE], { reject: false });
    }
  });
});

describe('a pod\'s hosts file while podctl rewrites it', () => {
  // A pod the cluster DNS server answers has a hosts file that never changes; one whose DNS the
  // user set (--dns: dnsPolicy None) carries the service names, rewritten on every change.
  const reading = uniqueName('guard-hosts');
  before(() => podctlOk(['run', '--image', 'busybox', '--name', reading, '--dns', '127.0.0.1', '--stop-timeout', '1', '--', 'sleep', '3600']));
  after(() => podctl(['rm', '-f', reading]));

  it('is never seen empty or partial by 1,000 reads during 100 rewrites', async () => {
    // The reader in the pod: one read(2) of the file, as getaddrinfo's stdio makes (dd; busybox
    // cat would sendfile() into a pipe, whose reader copies the page later, in pieces), and the
    // md5 of the text without blank lines (padding), until the stop service appears. The host
    // knows the only two texts the file may hold meanwhile.
    const reader = execa(PODCTL, ['exec', reading, '--', 'sh', '-c', "while :; do t=$(dd if=/etc/hosts bs=65536 count=1 2>/dev/null); case \"$t\" in *guard-stop*) exit 0;; esac; printf '%s\\n' \"$t\" | grep -v '^ *$' | md5sum; done"], { reject: false, timeout: 300_000 });
    let reads = 0;
    reader.stdout?.on('data', (d: Buffer) => (reads += String(d).split('\n').length - 1));
    const manager = await PodManager.open();
    const hostsPath = `${defaultStatePaths().stateDir}/pods/default_${reading}/hosts`;
    const digest = (text: string) => createHash('md5').update(text.split('\n').filter((l) => !/^ *$/.test(l)).map((l) => `${l}\n`).join('')).digest('hex');
    const spec = (name: string) => ({ name, namespace: 'default', labels: {}, selector: { app }, type: 'ClusterIP' as const, ports: [{ protocol: 'TCP' as const, port: 80, targetPort: 80 }] });
    const texts = new Set<string>();
    let rewrites = 0;
    // Rewrites alternate a long and a short file until the reader has read 1,000 times (and at least 100 rewrites).
    while (rewrites < 100 || reads < 1000) {
      if (rewrites % 2 === 0) await manager.services.apply(spec('guard-rw'));
      else await manager.services.remove({ name: 'guard-rw', namespace: 'default' });
      rewrites++;
      if (texts.size < 2) texts.add(digest(await readFile(hostsPath, 'utf8')));
      assert.ok(rewrites < 5000, `the reader made only ${reads} reads`);
    }
    await manager.services.remove({ name: 'guard-rw', namespace: 'default' });
    await manager.services.apply(spec('guard-stop'));
    const r = await reader;
    await manager.services.remove({ name: 'guard-stop', namespace: 'default' });
    assert.equal(r.exitCode, 0, r.stderr);
    const seen = String(r.stdout).trim().split('\n').map((l) => l.split(' ')[0]!);
    assert.ok(seen.length >= 1000, `${seen.length} reads`);
    assert.equal(texts.size, 2, 'a long and a short text');
    const bad = seen.flatMap((h, i) => (texts.has(h) ? [] : [i]));
    assert.equal(bad.length, 0, `reads ${bad.join(', ')} of ${seen.length} were neither text`);
  });
});
