import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { eventually, execInPod, inspectPod, podctl, podctlOk, uniqueName } from './harness/run.js';

// The seeded images (images/build-app-images.sh) stand in for upstream busybox and nginx, so
// the commands manifests, probes and the Kubernetes docs' debugging steps use must behave as
// they do there. Each applet runs in a real pod against real pods and a real Service: a
// broken or missing applet fails here. Traffic goes only to the pods and the Service made
// here (and to the client pod's own loopback); the DNS server is a busybox dnsd pod.
const app = uniqueName('img-app');
const web = uniqueName('img-web');
const proxy = uniqueName('img-proxy');
const httpd = uniqueName('img-httpd');
const dns = uniqueName('img-dns');
const client = uniqueName('img-cli');
const svc = uniqueName('img-svc');
const DNS_NAME = 'probe.podctl.test';
const DNS_ANSWER = '192.0.2.10'; // only ever an answer: nothing sends to it
let work: string;
let leaks: LeakChecker;
const ips: Record<string, string> = {};

/** Runs a shell line in the client pod; stdout, stderr and the exit code. */
const inClient = (line: string) => execInPod(client, ['sh', '-c', line]);

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-img-'));
  await podctlOk(['run', '--image', 'nginx', '--name', web, '--label', `app=${app}`, '--stop-timeout', '1', '--wait-http', ':80/']);
  await writeFile(join(work, 'svc.yaml'), `apiVersion: v1\nkind: Service\nmetadata: { name: ${svc} }\nspec:\n  selector: { app: ${app} }\n  ports: [{ port: 80, targetPort: 80 }]\n`);
  await podctlOk(['apply', '-f', join(work, 'svc.yaml')]);
  // nginx resolves proxy_pass's name when it loads its configuration: through the pod's hosts file.
  const conf = join(work, 'proxy.conf');
  await writeFile(conf, `server {\n  listen 8080;\n  location / { proxy_pass http://${svc}:80; }\n}\n`);
  await podctlOk(['run', '--image', 'nginx', '--name', proxy, '--stop-timeout', '1', '--volume', `${conf}:/etc/nginx/conf.d/default.conf:ro`, '--wait-http', ':8080/']);
  await podctlOk(['run', '--image', 'busybox', '--name', httpd, '--stop-timeout', '1', '--wait-http', ':8080/', '--',
    'sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']);
  await podctlOk(['run', '--image', 'busybox', '--name', dns, '--stop-timeout', '1', '--',
    'sh', '-c', `echo '${DNS_NAME} ${DNS_ANSWER}' > /tmp/dnsd.conf && exec dnsd -c /tmp/dnsd.conf -p 53`]);
  await podctlOk(['run', '--image', 'busybox', '--name', client, '--stop-timeout', '1', '--', 'sleep', '3600']);
  for (const pod of [web, httpd, dns]) ips[pod] = (await inspectPod(pod)).ips[0]!;
});

after(async () => {
  await podctl(['rm', '-f', web, proxy, httpd, dns, client]);
  await podctl(['delete', 'service', svc, '--ignore-not-found']);
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

describe('the seeded busybox image', () => {
  it('wget -q -T -O- fetches by a Service name and by a pod IP (it crashed with SIGSEGV before)', async () => {
    for (const host of [svc, ips[web]!]) {
      const got = await inClient(`wget -q -T 2 -O- http://${host}/`);
      assert.equal(got.exitCode, 0, `wget -T to ${host}: ${got.stderr}`);
      assert.match(got.stdout, /Welcome to nginx!/);
    }
  });

  it('wget -T gives up on a server that never answers, with its own message', async () => {
    // The client's own listener accepts and stays silent (its input stays open).
    const got = await inClient('(sleep 10 | nc -l -p 9000 >/dev/null &) ; sleep 0.3; wget -q -T 1 -O- http://127.0.0.1:9000/; echo "exit=$?"');
    assert.match(got.stdout, /exit=1/);
    assert.match(got.stderr, /timed out/);
  });

  it('wget -S prints the response headers; --spider checks without fetching', async () => {
    const headers = await inClient(`wget -S -T 2 -O /dev/null http://${svc}/`);
    assert.equal(headers.exitCode, 0, headers.stderr);
    assert.match(headers.stderr, /HTTP\/1\.1 200 OK/);
    assert.equal((await inClient(`wget -q --spider -T 2 http://${svc}/`)).exitCode, 0);
    const missing = await inClient(`wget -q --spider -T 2 http://${svc}/nosuch`);
    assert.notEqual(missing.exitCode, 0);
    assert.match(missing.stderr, /404/);
  });

  it('nslookup asks a DNS server (busybox dnsd in a pod) and prints its answer', async () => {
    // dnsd serves UDP only, so no --wait-tcp: asked again until it has started. It answers A
    // queries only (AAAA: NOTIMP, which nslookup counts as a failure), hence -type=a.
    const got = await eventually(async () => {
      const answer = await inClient(`nslookup -type=a ${DNS_NAME} ${ips[dns]}`);
      assert.equal(answer.exitCode, 0, answer.stderr + answer.stdout);
      return answer;
    });
    assert.match(got.stdout, new RegExp(DNS_ANSWER.replace(/\./g, '\\.')));
  });

  it('nc talks to a Service and probes ports with -z', async () => {
    const got = await inClient(`printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${svc} 80`);
    assert.match(got.stdout, /HTTP\/1\.1 200 OK/);
    assert.equal((await inClient(`nc -z -w 2 ${svc} 80`)).exitCode, 0);
    assert.notEqual((await inClient(`nc -z -w 2 ${ips[web]} 81`)).exitCode, 0);
  });

  it('ping reaches another pod', async () => {
    const got = await inClient(`ping -c 1 -W 2 ${ips[web]}`);
    assert.equal(got.exitCode, 0, got.stdout + got.stderr);
    assert.match(got.stdout, /1 packets received/);
  });

  it('telnet connects and passes what it reads', async () => {
    // telnet ends when its input ends: the sleep keeps it open for the answer.
    const got = await inClient(`(printf 'GET / HTTP/1.0\\r\\n\\r\\n'; sleep 2) | telnet ${ips[web]} 80`);
    assert.match(got.stdout, /Connected to/);
    assert.match(got.stdout, /HTTP\/1\.1 200 OK/);
  });

  it('httpd serves files', async () => {
    const got = await inClient(`wget -q -T 2 -O- http://${ips[httpd]}:8080/`);
    assert.equal(got.exitCode, 0, got.stderr);
    assert.equal(got.stdout.trim(), httpd);
  });

  it('sh, sleep, env, hostname and timeout behave as upstream', async () => {
    assert.equal((await inClient('echo $((6 * 7))')).stdout.trim(), '42');
    assert.equal((await inClient('sleep 0.1; echo $?')).stdout.trim(), '0');
    assert.match((await execInPod(client, ['env'])).stdout, /^PATH=.*\/bin/m);
    assert.equal((await execInPod(client, ['hostname'])).stdout.trim(), client);
    // timeout kills with SIGTERM: 128 + 15, as upstream busybox reports it.
    assert.equal((await inClient('timeout 1 sleep 10; echo $?')).stdout.trim(), '143');
    assert.equal((await inClient('timeout 5 true; echo $?')).stdout.trim(), '0');
  });
});

describe('the seeded nginx image', () => {
  it('nginx -t checks its configuration', async () => {
    const got = await execInPod(web, ['nginx', '-t']);
    assert.equal(got.exitCode, 0, got.stderr);
    assert.match(got.stderr, /syntax is ok/);
  });

  it('resolves a Service name in proxy_pass (nginx -t and a proxied request)', async () => {
    const check = await execInPod(proxy, ['nginx', '-t']);
    assert.equal(check.exitCode, 0, check.stderr);
    const got = await inClient(`wget -q -T 2 -O- http://${(await inspectPod(proxy)).ips[0]}:8080/`);
    assert.equal(got.exitCode, 0, got.stderr);
    assert.match(got.stdout, /Welcome to nginx!/);
  });
});
