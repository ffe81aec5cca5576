import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk, uniqueName } from './harness/run.js';
import { stopServe, type Serve } from './harness/serve.js';
import { kubectlPath, serveWithApi } from './harness/kube-api.js';

// `kubectl exec` through `podctl serve`'s API (WebSocket, v5.channel.k8s.io) with the newest
// kubectl installed, called by path, and the Python client's stream() (v4.channel.k8s.io),
// against the pod of a Deployment applied with podctl. kubectl gets its own HOME (it caches
// discovery under ~/.kube) and the kubeconfig `podctl kubeconfig` prints.
const KUBECTL = kubectlPath('1.33');

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-exec-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('kubectl exec through podctl serve', () => {
  const name = uniqueName('pct-kx');
  let serve: Serve | undefined;
  let port: number;
  let manifest: string;
  let kubeconfig: string;
  let home: string;
  let pod: string;

  const env = () => ({ HOME: home, PATH: process.env.PATH ?? '' });
  const kubectl = (args: string[], options: { input?: string; inputFile?: string } = {}) =>
    execa(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { reject: false, env: env(), extendEnv: false, timeout: 120_000, stripFinalNewline: false, ...(options.inputFile ? { inputFile: options.inputFile } : { input: options.input ?? '' }) });

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
        - name: shell
          image: busybox
          command: [sleep, '3600']
---
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${name} }
  ports: [{ port: 80 }]
`,
    );
    ({ serve, port, kubeconfig } = await serveWithApi(work, manifest));
    const pods = await kubectl(['get', 'pods', '-l', `app=${name}`, '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(pods.exitCode, 0, String(pods.stderr));
    pod = String(pods.stdout).trim();
    assert.match(pod, new RegExp(`^${name}-\\S+$`), 'one pod of the Deployment');
  });

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    await podctl(['delete', '-f', manifest, '--ignore-not-found']);
    await leaks.assertClean();
  });

  it('prints stdout and stderr apart and exits 0', async () => {
    const r = await kubectl(['exec', pod, '--', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  it("exits with the command's exit code (3)", async () => {
    const r = await kubectl(['exec', pod, '--', 'sh', '-c', 'echo before; exit 3']);
    assert.equal(r.exitCode, 3, String(r.stderr));
    assert.equal(r.stdout, 'before\n');
    assert.match(String(r.stderr), /command terminated with exit code 3/);
  });

  it('picks the container named with -c, and says so when there is no such container', async () => {
    assert.equal((await kubectl(['exec', pod, '-c', 'shell', '--', 'echo', 'ok'])).stdout, 'ok\n');
    const r = await kubectl(['exec', pod, '-c', 'nosuch', '--', 'true']);
    assert.notEqual(r.exitCode, 0);
    assert.match(String(r.stderr), /nosuch/);
  });

  it('passes 10 MB of stdin through, checksum-equal, and closes stdin at its end (-i)', async () => {
    const blob = randomBytes(10_000_000);
    const file = join(work, 'blob');
    await writeFile(file, blob);
    const r = await kubectl(['exec', '-i', pod, '--', 'sha256sum'], { inputFile: file });
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.equal(String(r.stdout).split(/\s+/)[0], createHash('sha256').update(blob).digest('hex'));
  });

  it('runs -it under a pseudo-terminal: the terminal size reaches the pod, and a resize too', async () => {
    // script(1) gives kubectl a terminal of 33x111; once the pod has printed that size, the
    // shell inside script resizes the terminal (its background job through /dev/tty: an async
    // list has /dev/null as stdin), kubectl sends the new size, and the pod, which
    // waits for its size to change, prints the new one.
    const go = join(work, 'resize-now');
    // Docker 20.10's exec takes no initial size: the first one lands just after the command starts
    // (busybox's stty prints nothing on stdout for a terminal without a size).
    // stty sets rows and cols one at a time: kubectl may pass on 40x111 before 40x100, so the pod waits for the last.
    const inPod = `until [ -n "$(stty size 2>/dev/null)" ]; do sleep 0.1; done; stty size; until [ "$(stty size)" = "40 100" ]; do sleep 0.1; done; stty size`;
    const inScript = `stty rows 33 cols 111; (while [ ! -e ${go} ]; do sleep 0.1; done; stty rows 40 cols 100 </dev/tty) & ${KUBECTL} --kubeconfig ${kubeconfig} exec -it ${pod} -- sh -c '${inPod}'; code=$?; wait; exit $code`;
    const child = execa('script', ['-qec', inScript, '/dev/null'], { reject: false, env: env(), extendEnv: false, timeout: 60_000, stdin: 'pipe' });
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += String(d);
      if (seen.includes('33 111')) void writeFile(go, '');
    });
    // script's stdin stays open and empty while it runs (at its end script would end the session).
    const r = await child;
    assert.equal(r.exitCode, 0, `${String(r.stdout)} ${String(r.stderr)}`);
    assert.deepEqual(String(r.stdout).split(/\r?\n/).filter(Boolean), ['33 111', '40 100']);
  });

  it('resolves deploy/NAME and svc/NAME to the pod, as kubectl does', async () => {
    for (const target of [`deploy/${name}`, `svc/${name}`]) {
      const r = await kubectl(['exec', target, '--', 'hostname']);
      assert.equal(r.exitCode, 0, `${target}: ${String(r.stderr)}`);
      assert.equal(r.stdout, `${pod}\n`, target);
    }
  });

  it('answers an exec without credentials with 401, an unknown pod with 404', async () => {
    const upgrade = (path: string, token?: string) =>
      new Promise<{ code: number; body: string }>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port,
          path,
          rejectUnauthorized: false,
          headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          reject(new Error(`upgraded (${res.statusCode}) where a refusal was due`));
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += String(d)));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const path = (p: string) => `/api/v1/namespaces/default/pods/${p}/exec?command=true&stdout=true`;
    const anonymous = await upgrade(path(pod));
    assert.equal(anonymous.code, 401);
    assert.equal((JSON.parse(anonymous.body) as { reason: string }).reason, 'Unauthorized');
    const token = /token: (\S+)/.exec(await readFile(kubeconfig, 'utf8'))?.[1];
    const missing = await upgrade(path('pct-kx-nosuch'), token);
    assert.equal(missing.code, 404);
    assert.match(missing.body, /pods \\"pct-kx-nosuch\\" not found/);
  });

  it("the Python client's stream() exec (v4.channel.k8s.io): output, stdin, exit code", async () => {
    const script = `
import json, sys
from kubernetes import client, config
from kubernetes.stream import stream
config.load_kube_config(sys.argv[1])
api = client.CoreV1Api()
r = stream(api.connect_get_namespaced_pod_exec, sys.argv[2], 'default', command=['sh', '-c', 'echo out; echo err >&2; exit 3'],
           stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
r.run_forever(timeout=60)
first = {'stdout': r.read_stdout(), 'stderr': r.read_stderr(), 'code': r.returncode}
r = stream(api.connect_get_namespaced_pod_exec, sys.argv[2], 'default', command=['sh', '-c', 'read line; echo got $line'],
           stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
r.write_stdin('hello\\n')
r.run_forever(timeout=60)
second = {'stdout': r.read_stdout(), 'code': r.returncode}
print(json.dumps([first, second]))
`;
    // Debian's python3-kubernetes, for Debian's Python (not another python3 earlier on PATH).
    const r = await execa('/usr/bin/python3', ['-c', script, kubeconfig, pod], { reject: false, env: { HOME: home }, timeout: 120_000 });
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.deepEqual(JSON.parse(String(r.stdout)), [
      { stdout: 'out\n', stderr: 'err\n', code: 3 },
      { stdout: 'got hello\n', code: 0 },
    ]);
  });
});
