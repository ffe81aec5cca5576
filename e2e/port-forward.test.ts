import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { PODCTL, eventually, execInPod, fetchText, podctl, podctlOk, sh, uniqueName } from './harness/run.js';

// `podctl port-forward` on the real engine: local ports reach localhost inside the pod (a
// server bound to the pod's loopback answers), through a service or a workload too; bytes
// arrive intact; many connections at once; the forward ends with an error when its pod goes,
// and leaves no relay process behind.
let leaks: LeakChecker;
let work: string;
const pods: string[] = [];
const manifests: string[] = [];
const forwards: ResultPromise[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'pct-pf-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});
beforeEach(async () => {
  leaks = await LeakChecker.start();
});
afterEach(async () => {
  for (const f of forwards.splice(0)) {
    f.kill('SIGTERM');
    await f;
  }
  for (const m of manifests.splice(0)) await podctl(['delete', '-f', m]);
  if (pods.length > 0) await podctl(['rm', '-f', ...pods.splice(0)]);
  assert.deepEqual(await relays(), [], 'no port-forward relay is left running');
  await leaks.assertClean();
});

/** Relay processes of podctl port-forward (nsenter'd node) still alive. */
async function relays(): Promise<string[]> {
  const r = await execa('pgrep', ['-af', 'nsenter --net=/var/run/netns/pct-pf'], { reject: false });
  return String(r.stdout).split('\n').filter(Boolean);
}

/** Starts `podctl port-forward TARGET PORT...` and returns its local ports once it says it forwards them all. */
async function forward(args: string[]): Promise<{ child: ResultPromise; ports: number[]; stderr: () => string }> {
  const child = execa(PODCTL, ['port-forward', ...args], { reject: false, buffer: false, stdin: 'ignore' });
  forwards.push(child);
  const wanted = args.length - 1;
  let err = '';
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const found = [...out.matchAll(/^Forwarding from [^\n]*:(\d+) -> \d+$/gm)].map((m) => Number(m[1]));
      if (found.length >= wanted) resolve(found);
    });
    child.stderr!.on('data', (d: Buffer) => (err += String(d)));
    void child.then((r) => reject(new Error(`port-forward exited ${r.exitCode}: ${err.trim()}`)));
  });
  return { child, ports, stderr: () => err };
}

function podName(): string {
  const name = uniqueName('pct-pf');
  pods.push(name);
  return name;
}

describe('podctl port-forward', () => {
  it('reaches a server bound to the pod loopback, with many connections at once', async () => {
    const name = podName();
    // busybox httpd on 127.0.0.1 only: the pod IP does not answer, the forward does.
    await podctlOk(['run', '--image', 'busybox', '--name', name, '--', 'sh', '-c', 'mkdir -p /www && echo hello-from-loopback > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www']);
    const { ports } = await forward([name, ':8080']);
    const url = `http://127.0.0.1:${ports[0]}/`;
    assert.equal((await eventually(() => fetchText(url))).body.trim(), 'hello-from-loopback');
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetchText(url, 15_000)));
    assert.deepEqual(new Set(answers.map((a) => `${a.status} ${a.body.trim()}`)), new Set(['200 hello-from-loopback']));
  });

  it('carries 100 MB intact, and ends with an error when the pod goes away mid-transfer', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'busybox', '--name', name, '--', 'sh', '-c', 'mkdir -p /www && dd if=/dev/urandom of=/www/big bs=1048576 count=100 2>/dev/null && sha256sum /www/big > /www/sum && exec httpd -f -p 8080 -h /www']);
    const expected = (await eventually(async () => {
      const r = await execInPod(name, ['cat', '/www/sum']);
      if (r.exitCode !== 0 || !r.stdout.trim()) throw new Error('no checksum yet');
      return r.stdout.split(/\s+/)[0]!;
    }, 30_000));
    const { child, ports, stderr } = await forward([name, `:8080`]);
    const digest = await download(`http://127.0.0.1:${ports[0]}/big`);
    assert.equal(digest.bytes, 100 * 1048576);
    assert.equal(digest.sha256, expected);

    // A transfer read slowly, so that it is still running when the pod is removed.
    const slow = download(`http://127.0.0.1:${ports[0]}/big`, 1).then(
      () => 'complete',
      (err: Error) => `failed: ${err.message}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    await podctlOk(['rm', '-f', name]);
    pods.splice(pods.indexOf(name), 1);
    assert.equal((await child).exitCode, 1);
    assert.match(stderr(), /lost connection to pod .*pct-pf/);
    assert.match(await slow, /^failed: /, 'the interrupted transfer fails, it does not end as if complete');
    forwards.splice(forwards.indexOf(child), 1);
  });

  it('forwards to a Service (its port, by number and by name) and to a Deployment', async () => {
    const app = uniqueName('pct-pf');
    const path = join(work, `${app}.yaml`);
    await writeFile(path, `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${app} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${app} } }
  template:
    metadata: { labels: { app: ${app} } }
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{ name: http, containerPort: 80 }]
        readinessProbe: { httpGet: { path: /, port: 80 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: ${app} }
spec:
  selector: { app: ${app} }
  ports: [{ name: web, port: 8080, targetPort: http }]
`);
    manifests.push(path);
    await podctlOk(['apply', '-f', path]);
    const viaService = await forward([`svc/${app}`, ':8080', ':web']);
    for (const port of viaService.ports) assert.match((await eventually(() => fetchText(`http://127.0.0.1:${port}/`))).body, /Welcome to nginx/);
    const viaDeployment = await forward([`deploy/${app}`, ':http']);
    assert.match((await eventually(() => fetchText(`http://127.0.0.1:${viaDeployment.ports[0]}/`))).body, /Welcome to nginx/);
    const missing = await podctl(['port-forward', `svc/${app}`, ':9999']);
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stderr, new RegExp(`service ${app} has no port 9999 \\(it has web 8080/TCP\\)`));
  });

  it('refuses bad arguments with one line, binding nothing', async () => {
    const name = podName();
    await podctlOk(['run', '--image', 'busybox', '--name', name, '--stop-timeout', '1', '--', 'sleep', '3600']);
    for (const [args, message] of [
      [[name, '8080:'], /the remote port is missing/],
      [[name, '70000:80'], /must be a number from 1 to 65535/],
      [[name, '8080:80', '--address', 'somehost'], /--address somehost: not an IP address/],
      [['pct-pf-nosuch', '8080:80'], /pod pct-pf-nosuch not found/],
    ] as const) {
      const r = await podctl(['port-forward', ...args]);
      assert.notEqual(r.exitCode, 0, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    }
    await podctlOk(['stop', name]);
    const stopped = await podctl(['port-forward', name, '8080:80']);
    assert.equal(stopped.exitCode, 2);
    assert.match(stopped.stderr, /is stopped, not running: nothing to forward to/);
    assert.equal(await sh('ss', ['-Htln', 'sport = :8080']), '', 'nothing listens on the refused port');
  });
});

/** Downloads a URL, hashing as it goes; `slowMs` waits that long between chunks. */
function download(url: string, slowMs = 0): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    request(url, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
        if (slowMs > 0) {
          res.pause();
          setTimeout(() => res.resume(), slowMs);
        }
      });
      res.on('aborted', () => reject(new Error('aborted')));
      res.on('error', reject);
      res.on('end', () => (bytes === Number(res.headers['content-length']) ? resolve({ bytes, sha256: hash.digest('hex') }) : reject(new Error(`ended after ${bytes} bytes`))));
    })
      .on('error', reject)
      .end();
  });
}
