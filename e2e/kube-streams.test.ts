import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { eventually, execInPod, fetchText, podctl, podctlOk, uniqueName } from './harness/run.js';
import { stopServe, type Serve } from './harness/serve.js';
import { kubectlPath, serveWithApi } from './harness/kube-api.js';

// The streaming subresources through `podctl serve`'s API with the oldest and the newest kubectl
// installed: exec over SPDY/3.1 (kubectl 1.27 speaks nothing else), port-forward over SPDY
// (1.27), over SPDY tunnelled in WebSocket (1.33) and over WebSocket channels (the Python
// client), `kubectl cp` both ways. The pod serves 100 MB of random bytes with busybox httpd on
// its loopback only: a forward reaches localhost inside the pod, as the kubelet's does.
const OLDEST = kubectlPath('1.27');
const NEWEST = kubectlPath('1.33');
const BIG = 100 * 1048576;

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-streams-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('kubectl exec, port-forward and cp through podctl serve', () => {
  const name = uniqueName('pct-ks');
  const lone = `${name}-lone`;
  let serve: Serve | undefined;
  let manifest: string;
  let kubeconfig: string;
  let home: string;
  let pod: string;
  let bigSum: string;
  const forwards: ResultPromise[] = [];

  const env = () => ({ HOME: home, PATH: process.env.PATH ?? '' });
  const kubectl = (binary: string, args: string[], options: { input?: string; inputFile?: string } = {}) =>
    execa(binary, ['--kubeconfig', kubeconfig, ...args], { reject: false, env: env(), extendEnv: false, timeout: 120_000, stripFinalNewline: false, ...(options.inputFile ? { inputFile: options.inputFile } : { input: options.input ?? '' }) });

  /** `kubectl port-forward TARGET :REMOTE`, once it says which local port it took. */
  async function portForward(binary: string, target: string, remote: number): Promise<{ child: ResultPromise; port: number; stderr: () => string }> {
    const child = execa(binary, ['--kubeconfig', kubeconfig, 'port-forward', target, `:${remote}`], { reject: false, buffer: false, env: env(), extendEnv: false, stdin: 'ignore' });
    forwards.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += String(d)));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += String(d);
        const found = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out);
        if (found) resolve(Number(found[1]));
      });
      void child.then((r) => reject(new Error(`kubectl port-forward exited ${r.exitCode}: ${err}`)));
    });
    return { child, port, stderr: () => err };
  }

  before(async () => {
    home = join(work, 'home');
    manifest = join(work, 'app.yaml');
    await writeFile(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: busybox
          command: [sh, -c, 'mkdir -p /www && echo hello > /www/index.html && dd if=/dev/urandom of=/www/big bs=1048576 count=100 2>/dev/null && sha256sum /www/big > /www/sum && exec httpd -f -p 127.0.0.1:8080 -h /www']
        - name: ticker
          image: busybox
          command: [sh, -c, 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done']
---
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${name} }
  ports: [{ port: 80, targetPort: 8080 }]
`,
    );
    ({ serve, kubeconfig } = await serveWithApi(work, manifest));
    const pods = await kubectl(NEWEST, ['get', 'pods', '-l', `app=${name}`, '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(pods.exitCode, 0, String(pods.stderr));
    pod = String(pods.stdout).trim();
    bigSum = await eventually(async () => {
      const r = await execInPod(pod, ['cat', '/www/sum']);
      if (r.exitCode !== 0 || !r.stdout.trim()) throw new Error('no checksum yet');
      return r.stdout.split(/\s+/)[0]!;
    }, 60_000);
  });

  after(async () => {
    for (const f of forwards) f.kill('SIGTERM');
    await Promise.all(forwards.map((f) => f.catch(() => undefined)));
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    await podctl(['delete', '-f', manifest, '--ignore-not-found']);
    await podctl(['rm', '-f', lone]);
    await leaks.assertClean();
  });

  describe('exec over SPDY/3.1 (kubectl 1.27)', () => {
    it('prints stdout and stderr apart, exits 0', async () => {
      const r = await kubectl(OLDEST, ['exec', pod, '-c', 'web', '--', 'sh', '-c', 'echo out; echo err >&2']);
      assert.equal(r.exitCode, 0, String(r.stderr));
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\n');
    });

    it("exits with the command's exit code (3)", async () => {
      const r = await kubectl(OLDEST, ['exec', pod, '-c', 'web', '--', 'sh', '-c', 'echo before; exit 3']);
      assert.equal(r.exitCode, 3, String(r.stderr));
      assert.equal(r.stdout, 'before\n');
      assert.match(String(r.stderr), /command terminated with exit code 3/);
    });

    it('passes 10 MB of stdin through, checksum-equal, and ends stdin at its end (-i)', async () => {
      const blob = randomBytes(10_000_000);
      const file = join(work, 'blob');
      await writeFile(file, blob);
      const r = await kubectl(OLDEST, ['exec', '-i', pod, '-c', 'web', '--', 'sha256sum'], { inputFile: file });
      assert.equal(r.exitCode, 0, String(r.stderr));
      assert.equal(String(r.stdout).split(/\s+/)[0], createHash('sha256').update(blob).digest('hex'));
    });

    it('runs -it under a pseudo-terminal: the size and a resize reach the pod', async () => {
      const go = join(work, 'resize-now');
      // stty sets rows and cols one at a time: kubectl may pass on 40x111 before 40x100, so the pod waits for the last.
      const inPod = `until [ -n "$(stty size 2>/dev/null)" ]; do sleep 0.1; done; stty size; until [ "$(stty size)" = "40 100" ]; do sleep 0.1; done; stty size`;
      const inScript = `stty rows 33 cols 111; (while [ ! -e ${go} ]; do sleep 0.1; done; stty rows 40 cols 100 </dev/tty) & ${OLDEST} --kubeconfig ${kubeconfig} exec -it ${pod} -c web -- sh -c '${inPod}'; code=$?; wait; exit $code`;
      const child = execa('script', ['-qec', inScript, '/dev/null'], { reject: false, env: env(), extendEnv: false, timeout: 60_000, stdin: 'pipe' });
      let seen = '';
      child.stdout!.on('data', (d: Buffer) => {
        seen += String(d);
        if (seen.includes('33 111')) void writeFile(go, '');
      });
      const r = await child;
      assert.equal(r.exitCode, 0, `${String(r.stdout)} ${String(r.stderr)}`);
      assert.deepEqual(String(r.stdout).split(/\r?\n/).filter(Boolean), ['33 111', '40 100']);
    });
  });

  it("kubectl attach (1.27 over SPDY, 1.33 over WebSocket) follows a running container's output", async () => {
    for (const binary of [OLDEST, NEWEST]) {
      const child = execa(binary, ['--kubeconfig', kubeconfig, 'attach', pod, '-c', 'ticker'], { reject: false, buffer: false, env: env(), extendEnv: false, stdin: 'ignore' });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += String(d)));
      const seen = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += String(d);
          if ((out.match(/^tick \d+$/gm) ?? []).length >= 2) resolve(out);
        });
        void child.then((r) => reject(new Error(`kubectl attach exited ${r.exitCode}: ${err}`)));
      });
      child.kill('SIGTERM');
      await child;
      const ticks = (seen.match(/^tick (\d+)$/gm) ?? []).map((l) => Number(l.split(' ')[1]));
      assert.equal(ticks[1], ticks[0]! + 1, `consecutive lines of the running process: ${seen}`);
    }
  });

  for (const [version, binary, transport] of [
    ['1.27', OLDEST, 'SPDY/3.1'],
    ['1.33', NEWEST, 'SPDY in WebSocket'],
  ] as const) {
    it(`kubectl ${version} port-forward (${transport}): 100 MB through one forward checksum-equal, 50 connections at once`, async () => {
      const { port } = await portForward(binary, `pod/${pod}`, 8080);
      const digest = await download(`http://127.0.0.1:${port}/big`);
      assert.equal(digest.bytes, BIG);
      assert.equal(digest.sha256, bigSum);
      const answers = await Promise.all(Array.from({ length: 50 }, () => fetchText(`http://127.0.0.1:${port}/`, 30_000)));
      assert.deepEqual(new Set(answers.map((a) => `${a.status} ${a.body.trim()}`)), new Set(['200 hello']));
    });
  }

  it('kubectl port-forward svc/NAME and deploy/NAME reach the pod (kubectl resolves them through reads)', async () => {
    for (const target of [`svc/${name}`, `deploy/${name}`]) {
      const { port } = await portForward(NEWEST, target, target.startsWith('svc/') ? 80 : 8080);
      assert.equal((await eventually(() => fetchText(`http://127.0.0.1:${port}/`))).body.trim(), 'hello', target);
    }
  });

  it("the Python client's portforward() (WebSocket channels) reaches the pod's port", async () => {
    const script = `
import sys
from kubernetes import client, config
from kubernetes.stream import portforward
config.load_kube_config(sys.argv[1])
api = client.CoreV1Api()
pf = portforward(api.connect_get_namespaced_pod_portforward, sys.argv[2], 'default', ports='8080')
s = pf.socket(8080)
s.setblocking(True)
s.sendall(b'GET / HTTP/1.0\\r\\nHost: pod\\r\\n\\r\\n')
data = b''
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
s.close()
print(data.decode().split('\\r\\n')[0])
print(data.decode().split('\\r\\n\\r\\n', 1)[1].strip())
print(pf.error(8080))
`;
    const r = await execa('/usr/bin/python3', ['-c', script, kubeconfig, pod], { reject: false, env: { HOME: home }, timeout: 120_000 });
    assert.equal(r.exitCode, 0, String(r.stderr));
    const [statusLine, ...rest] = String(r.stdout).trim().split('\n');
    assert.match(statusLine!, /^HTTP\/1\.[01] 200 OK$/);
    assert.deepEqual(rest, ['hello', 'None']);
  });

  it('a pod removed during a transfer ends the forward with an error, and leaves no relay behind', async () => {
    await podctlOk(['run', '--image', 'busybox', '--name', lone, '--stop-timeout', '1', '--', 'sh', '-c', 'mkdir -p /www && dd if=/dev/zero of=/www/big bs=1048576 count=100 2>/dev/null && touch /www/ready && exec httpd -f -p 127.0.0.1:8080 -h /www']);
    await eventually(async () => {
      if ((await execInPod(lone, ['test', '-e', '/www/ready'])).exitCode !== 0) throw new Error('not ready');
    }, 30_000);
    const { child, port, stderr } = await portForward(NEWEST, `pod/${lone}`, 8080);
    const slow = download(`http://127.0.0.1:${port}/big`, 1).then(
      () => 'complete',
      (err: Error) => `failed: ${err.message}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    await podctlOk(['rm', '-f', lone]);
    assert.match(await slow, /^failed: /, 'the interrupted transfer fails, it does not end as if complete');
    const r = await child;
    forwards.splice(forwards.indexOf(child), 1);
    assert.notEqual(r.exitCode, 0);
    assert.match(stderr(), /lost connection to pod|error forwarding port 8080/);
    const relays = await execa('pgrep', ['-af', `nsenter --net=/var/run/netns/${lone}`], { reject: false });
    assert.equal(String(relays.stdout).trim(), '', 'no relay process is left');
    // serve answers as before.
    assert.equal((await kubectl(NEWEST, ['exec', pod, '-c', 'web', '--', 'echo', 'still'])).stdout, 'still\n');
  });

  // kubectl cp writes what it downloads with os.Create (modes 0666 less the umask, whatever the
  // archive says): the modes are checked in the pod after the upload, and in the archive the
  // pod sends back through the same exec kubectl cp runs (tar cf -), extracted here with tar.
  it('kubectl cp copies a directory into the pod and back; the modes are kept in the pod and in the archive back', async () => {
    const src = join(work, 'tree');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'run.sh'), '#!/bin/sh\necho hi\n');
    await chmod(join(src, 'run.sh'), 0o755);
    await writeFile(join(src, 'sub', 'secret'), randomBytes(100_000));
    await chmod(join(src, 'sub', 'secret'), 0o600);
    const up = await kubectl(NEWEST, ['cp', '-c', 'web', src, `${pod}:/tmp/tree`]);
    assert.equal(up.exitCode, 0, String(up.stderr));
    const listing = await execInPod(pod, ['sh', '-c', 'stat -c "%a %n" /tmp/tree/run.sh /tmp/tree/sub/secret && /tmp/tree/run.sh']);
    assert.equal(listing.stdout.trim(), '755 /tmp/tree/run.sh\n600 /tmp/tree/sub/secret\nhi');
    const back = join(work, 'back');
    const down = await kubectl(OLDEST, ['cp', '-c', 'web', `${pod}:/tmp/tree`, back]);
    assert.equal(down.exitCode, 0, String(down.stderr));
    assert.deepEqual(await readFile(join(back, 'sub', 'secret')), await readFile(join(src, 'sub', 'secret')));
    assert.equal(await readFile(join(back, 'run.sh'), 'utf8'), '#!/bin/sh\necho hi\n');
    const extracted = join(work, 'extracted');
    await mkdir(extracted);
    const archive = await execa('sh', ['-c', `${OLDEST} --kubeconfig ${kubeconfig} exec ${pod} -c web -- tar cf - -C /tmp tree | tar xpf - -C ${extracted}`], { reject: false, env: env(), extendEnv: false });
    assert.equal(archive.exitCode, 0, String(archive.stderr));
    assert.equal((await stat(join(extracted, 'tree', 'run.sh'))).mode & 0o777, 0o755);
    assert.equal((await stat(join(extracted, 'tree', 'sub', 'secret'))).mode & 0o777, 0o600);
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
