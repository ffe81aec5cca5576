import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { execa } from 'execa';
import { PODCTL, eventually, execInPod, getOnNewConnection, inspectPod, podctl, podctlOk, sh, uniqueName } from './harness/run.js';
import { runForServices, applyNft } from '../src/service/host.js';
import { startHung } from './reliability-support.js';
import { renderRules } from '../src/service/rules.js';
import { FIXTURE_OPTIONS, FIXTURE_SERVICES } from '../src/service/testing/rules-fixture.js';

// Services on the real kernel: busybox httpd pods that answer their own hostname, Services
// applied through the CLI, traffic from the host (node:http, one new connection per request)
// and from pods (busybox nc, which resolves names through getaddrinfo and the pod's hosts
// file). The pods are shared by the tests of this file (pods cost seconds, requests cost
// milliseconds); the leak checker runs once at the end, and also checks that podctl's nft
// table is gone and every other nft table is as it was.
const web1 = uniqueName('svc-web');
const web2 = uniqueName('svc-web');
const client = uniqueName('svc-cli');
const app = uniqueName('svc-app');
const only1 = uniqueName('svc-one');
let work: string;
let leaks: LeakChecker;
const ips: Record<string, string> = {};

const httpd = (name: string, extraLabels: string[] = []) =>
  podctlOk(['run', '--image', 'busybox', '--name', name, '--label', `app=${app}`, ...extraLabels.flatMap((l) => ['--label', l]), '--stop-timeout', '1', '--wait-http', ':80/', '--',
    'sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www']);

const get = getOnNewConnection;

/** An HTTP GET from inside a pod with nc: prints the body's last line (the answering pod's name). */
const fromPod = (pod: string, target: string, times = 1) =>
  execInPod(pod, ['sh', '-c', `for i in $(seq ${times}); do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${target} | tail -n 1; done`]);

async function manifest(name: string, text: string): Promise<string> {
  const path = join(work, `${name}.yaml`);
  await writeFile(path, text);
  return path;
}

const service = (name: string, selector: string, extra = '', ports = '[{ name: http, port: 80, targetPort: 80 }]') => `apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { ${selector} }
  ports: ${ports}
${extra}`;

async function clusterIP(name: string): Promise<string> {
  const svc = JSON.parse((await podctlOk(['get', 'svc', name, '-o', 'json'])).stdout) as { spec: { clusterIP: string; ports: Array<{ nodePort?: number }> } };
  return svc.spec.clusterIP;
}

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-svc-'));
  await Promise.all([httpd(web1, [`only=${only1}`]), httpd(web2)]);
  for (const name of [web1, web2]) ips[name] = (await inspectPod(name)).ips[0]!.split('/')[0]!;
  await podctlOk(['apply', '-f', await manifest('web', service('web', `app: ${app}`, '  type: NodePort'))]);
  // Started after the service: it gets WEB_SERVICE_HOST; the headless service comes later.
  await podctlOk(['run', '--image', 'busybox', '--name', client, '--stop-timeout', '1', '--', 'sleep', '3600']);
});

after(async () => {
  await podctl(['delete', '-f', work, '--ignore-not-found']);
  await podctl(['rm', '-f', web1, web2, client]);
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

describe('ClusterIP and NodePort services on the real kernel', () => {
  it('answers on the ClusterIP from the host and from a pod, by address and by every name form', async () => {
    const ip = await clusterIP('web');
    assert.match(ip, /^10\.96\./);
    assert.ok([web1, web2].includes(await get(ip, 80)));
    const names = [ip, 'web', 'web.default', 'web.default.svc', 'web.default.svc.cluster.local'];
    const r = await execInPod(client, ['sh', '-c', `${names.map((n) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${n} 80 | tail -n 1`).join('; ')}; echo "env=$WEB_SERVICE_HOST:$WEB_SERVICE_PORT"; cat /etc/resolv.conf`]);
    const answers = r.stdout.trim().split('\n');
    for (const [i, n] of names.entries()) assert.ok([web1, web2].includes(answers[i]!), `${n} answered ${answers[i]}`);
    assert.match(r.stdout, new RegExp(`env=${ip.replace(/\./g, '\\.')}:80`));
    assert.match(r.stdout, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m);
    assert.match(r.stdout, /^options ndots:5/m);
    const table = await podctlOk(['get', 'svc']);
    assert.match(table.stdout, /^web\s+NodePort\s+10\.96\.\S+\s+80:3\d{4}\/TCP/m);
    const eps = await podctlOk(['get', 'endpoints', 'web']);
    assert.match(eps.stdout, new RegExp(`${ips[web1]}:80`));
    assert.match(eps.stdout, new RegExp(`${ips[web2]}:80`));
  });

  it('spreads 200 new connections over both endpoints, at least 60 each', async () => {
    const ip = await clusterIP('web');
    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const who = await get(ip, 80);
      counts.set(who, (counts.get(who) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), [web1, web2].sort());
    for (const [who, n] of counts) assert.ok(n >= 60, `${who} got ${n} of 200`);
  });

  it('lets a pod reach itself through its own service (hairpin), 20 of 20', async () => {
    await podctlOk(['expose', 'pod', web1, '--name', 'self', '--port', '8080', '--target-port', '80']);
    // expose selects all the pod's labels: app and only=, which web2 lacks.
    assert.match((await podctlOk(['get', 'ep', 'self'])).stdout, new RegExp(`self\\s+${ips[web1]}:80\\s`));
    const r = await fromPod(web1, 'self 8080', 20);
    assert.deepEqual(r.stdout.trim().split('\n'), Array(20).fill(web1));
    await podctlOk(['delete', '-f', await manifest('self', service('self', 'x: y'))]);
  });

  it('answers NodePorts on 127.0.0.1 and on the bridge address from a pod', async () => {
    const svc = JSON.parse((await podctlOk(['get', 'svc', 'web', '-o', 'json'])).stdout) as { spec: { ports: Array<{ nodePort: number }> } };
    const nodePort = svc.spec.ports[0]!.nodePort;
    assert.ok([web1, web2].includes(await get('127.0.0.1', nodePort)));
    const r = await fromPod(client, `10.99.0.1 ${nodePort}`);
    assert.ok([web1, web2].includes(r.stdout.trim()), r.stdout + r.stderr);
  });

  it('refuses a service without endpoints at once, from the host and from a pod', async () => {
    await podctlOk(['apply', '-f', await manifest('none', service('nobody', 'app: nobody-here'))]);
    const ip = await clusterIP('nobody');
    const started = Date.now();
    await assert.rejects(get(ip, 80), /ECONNREFUSED/);
    assert.ok(Date.now() - started < 1000, `refused after ${Date.now() - started} ms`);
    // busybox's nc (netcat 1.10's, as in upstream's image) names a refused connection with -vv.
    const r = await execInPod(client, ['sh', '-c', 'nc -vv -w 3 nobody 80 </dev/null; echo rc=$?']);
    assert.match(r.stdout + r.stderr, /refused/);
  });

  it('resolves a headless service created after the pod to the ready pod IPs', async () => {
    await podctlOk(['apply', '-f', await manifest('peers', service('peers', `app: ${app}`, '  clusterIP: None'))]);
    const r = await execInPod(client, ['sh', '-c', 'ping -c 1 -W 1 peers.default.svc.cluster.local | head -n 1; nslookup peers.default.svc.cluster.local']);
    const resolved = /PING \S+ \((\d+\.\d+\.\d+\.\d+)\)/.exec(r.stdout)?.[1];
    assert.ok(resolved && [ips[web1], ips[web2]].includes(resolved), r.stdout);
    // The cluster DNS answers every ready pod of a headless service.
    for (const ip of [ips[web1], ips[web2]]) assert.match(r.stdout, new RegExp(`^Address: ${ip!.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('loses no request while an endpoint stops, and sends traffic to it again once it is back', async () => {
    const ip = await clusterIP('web');
    let stop = false;
    let failures = 0;
    let done = 0;
    const loop = (async () => {
      while (!stop) {
        await get(ip, 80).then(() => done++, () => failures++);
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    await podctlOk(['stop', web2]);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await loop;
    assert.equal(failures, 0, `${failures} of ${done + failures} requests failed`);
    assert.match((await podctlOk(['get', 'ep', 'web'])).stdout, new RegExp(`web\\s+${ips[web1]}:80\\s`));
    await podctlOk(['start', web2, '--wait-http', ':80/']);
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add(await get(ip, 80));
    assert.ok(seen.has(web2), 'the restarted pod got no traffic');
  });

  it('sends traffic to a new matching pod once it runs', async () => {
    const web3 = uniqueName('svc-web');
    await httpd(web3);
    try {
      const ip = await clusterIP('web');
      const seen = new Set<string>();
      for (let i = 0; i < 60 && !seen.has(web3); i++) seen.add(await get(ip, 80));
      assert.ok(seen.has(web3), `60 requests reached only ${[...seen].join(', ')}`);
    } finally {
      await podctlOk(['rm', '-f', web3]);
    }
    assert.doesNotMatch((await podctlOk(['get', 'ep', 'web'])).stdout, /,.*,/, 'the removed pod left the endpoints');
  });

  // serve killed in the middle of a deletion (CI saw connections refused right after the next
  // serve started): the pod is marked, but the table still sends to it. Whoever finishes the
  // removal takes it out of the table before its containers go.
  it('a removal whose podctl died before the pod left its service: the next rm takes it out of the table before its containers go', async () => {
    const victim = uniqueName('svc-web');
    await httpd(victim);
    const chain = () => sh('nft', ['list', 'chain', 'ip', 'podctl', 'svc-default/web/tcp/http']);
    const address = new RegExp(`${(await inspectPod(victim)).ips[0]!.split('/')[0]!.replace(/\./g, '\\.')}\\b`);
    try {
      assert.match(await chain(), address);
      // Killed where its sync would write the table without the pod: marked, still in the table.
      const first = await startHung(['rm', '-f', victim], 'services-rules');
      await first.kill();
      assert.match(await chain(), address, 'the kill left the pod in the table (the case under test)');
      const second = await startHung(['rm', '-f', victim], 'remove-containers');
      try {
        assert.doesNotMatch(await chain(), address, 'out of the table before its containers are removed');
      } finally {
        await second.kill();
      }
    } finally {
      await podctlOk(['rm', '-f', victim]);
    }
  });

  it('podctl watch takes a pod whose container died behind its back out of its services within a second, and back in', async () => {
    const watch = execa(PODCTL, ['watch'], { reject: false });
    try {
      await new Promise<void>((resolve) => watch.stderr?.on('data', (d: Buffer) => String(d).includes('watching') && resolve()));
      const chain = () => sh('nft', ['list', 'chain', 'ip', 'podctl', 'svc-default/web/tcp/http']);
      // web2 was restarted above: it may have a new address.
      const pod = await inspectPod(web2);
      ips[web2] = pod.ips[0]!.split('/')[0]!;
      assert.match(await chain(), new RegExp(ips[web2]!.replace(/\./g, '\\.')));
      const app = pod.containers[0]!.id;
      await sh('docker', ['kill', app]);
      const killed = Date.now();
      await eventually(async () => assert.doesNotMatch(await chain(), new RegExp(ips[web2]!.replace(/\./g, '\\.'))), 1000);
      assert.ok(Date.now() - killed < 1000, `left after ${Date.now() - killed} ms`);
      await sh('docker', ['start', app]);
      await eventually(async () => assert.match(await chain(), new RegExp(ips[web2]!.replace(/\./g, '\\.'))), 3000);
    } finally {
      watch.kill('SIGTERM');
      await watch;
    }
  });

  it('deletes the conntrack entries of a UDP flow whose endpoint left, so the next datagram is not sent to it', async () => {
    const udp = (selector: string) => service('udp', selector, '', '[{ name: dns, port: 53, targetPort: 5353, protocol: UDP }]');
    await podctlOk(['apply', '-f', await manifest('udp', udp(`only: ${only1}`))]);
    const ip = await clusterIP('udp');
    // One datagram from a fixed port: the kernel DNATs it to web1 and keeps that in conntrack.
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '0.0.0.0', resolve));
    await new Promise<void>((resolve, reject) => socket.send('x', 53, ip, (err) => (err ? reject(err) : resolve())));
    const flows = async () => (await execa('conntrack', ['-L', '-p', 'udp', '--orig-dst', ip], { reject: false })).stdout;
    try {
      assert.match(await flows(), new RegExp(`src=${ips[web1]!.replace(/\./g, '\\.')} dst=\\S+ sport=5353`));
      await podctlOk(['apply', '-f', await manifest('udp', udp('app: nobody-here'))]);
      assert.doesNotMatch(await flows(), /sport=5353/);
    } finally {
      socket.close();
    }
  });

  it('refuses bad Services with one line and changes nothing; warns about an undeclared targetPort name', async () => {
    const ip = await clusterIP('web');
    const nodePort = (JSON.parse((await podctlOk(['get', 'svc', 'web', '-o', 'json'])).stdout) as { spec: { ports: Array<{ nodePort: number }> } }).spec.ports[0]!.nodePort;
    const cases: Array<[string, string, RegExp]> = [
      ['no-selector', 'apiVersion: v1\nkind: Service\nmetadata: { name: b1 }\nspec:\n  ports: [{ port: 80 }]\n', /spec\.selector: is required/],
      ['port-range', service('b2', 'a: b', '', '[{ port: 70000 }]'), /spec\.ports\[0\]\.port: must be 1-65535/],
      ['ip-outside', service('b3', 'a: b', '  clusterIP: 10.97.0.1'), /10\.97\.0\.1 is outside the service range 10\.96\.0\.0\/16/],
      ['ip-taken', service('b4', 'a: b', `  clusterIP: ${ip}`), /is taken by service default\/web/],
      ['nodeport-taken', service('b5', 'a: b', '  type: NodePort', `[{ port: 80, nodePort: ${nodePort} }]`), new RegExp(`nodePort TCP ${nodePort} is taken by service default/web`)],
      ['nodeport-range', service('b6', 'a: b', '  type: NodePort', '[{ port: 80, nodePort: 8080 }]'), /nodePort 8080 is outside the NodePort range 30000-32767/],
      ['malformed', 'apiVersion: v1\nkind: Service\nmetadata: { name: b7 }\nspec: [1]\n', /spec: must be an object/],
    ];
    const rulesBefore = await sh('nft', ['list', 'table', 'ip', 'podctl']);
    const svcBefore = (await podctlOk(['get', 'svc', '-A', '-o', 'name'])).stdout;
    for (const [name, text, says] of cases) {
      const r = await podctl(['apply', '-f', await manifest(`bad-${name}`, text)]);
      assert.notEqual(r.exitCode, 0, name);
      assert.match(r.stderr, says, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: ${r.stderr}`);
      await rm(join(work, `bad-${name}.yaml`));
    }
    // A PATH with node alone: podctl runs, nft is not found.
    const bin = join(work, 'bin');
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    const noNft = await podctl(['apply', '-f', await manifest('nonft', service('b8', 'a: b'))], { env: { PATH: bin } });
    assert.match(noNft.stderr, /^podctl: nft is not installed: podctl needs it for Services; install it/);
    assert.equal((await podctlOk(['get', 'svc', '-A', '-o', 'name'])).stdout, svcBefore);
    assert.equal(await sh('nft', ['list', 'table', 'ip', 'podctl']), rulesBefore);
    await rm(join(work, 'nonft.yaml'));
    const named = await podctlOk(['apply', '-f', await manifest('named', service('named', `app: ${app}`, '', '[{ port: 80, targetPort: www }]'))]);
    assert.match(named.stderr, /warning: .*service\/named: targetPort www is not a port any selected container declares/);
    assert.match((await podctlOk(['get', 'ep', 'named'])).stdout, /named\s+<none>/);
  });

  it('keeps the old table when a transaction fails, writes the same rules twice, and gc restores a deleted table', async () => {
    const before = await sh('nft', ['list', 'table', 'ip', 'podctl']);
    await assert.rejects(applyNft(runForServices, renderRules(FIXTURE_SERVICES, FIXTURE_OPTIONS) + 'add rule ip podctl no-such-chain drop\n'), /nft refused/);
    assert.equal(await sh('nft', ['list', 'table', 'ip', 'podctl']), before);
    await podctlOk(['gc']);
    assert.equal(await sh('nft', ['list', 'table', 'ip', 'podctl']), before);
    // Drift (a table deleted behind podctl's back, or a podctl killed between its record and its
    // rules): gc converges to the same rules.
    await sh('nft', ['delete', 'table', 'ip', 'podctl']);
    await podctlOk(['gc']);
    assert.equal(await sh('nft', ['list', 'table', 'ip', 'podctl']), before);
    // The renderer's golden fixture is a valid ruleset for this kernel's nft.
    const fixture = join(work, 'fixture.nft');
    await writeFile(fixture, renderRules(FIXTURE_SERVICES, FIXTURE_OPTIONS));
    await sh('nft', ['-c', '-f', fixture]);
    assert.ok((await readFile(fixture, 'utf8')).includes('numgen random mod 2'));
  });
});
