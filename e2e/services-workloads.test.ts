import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { PODCTL, REPO_ROOT, eventually, getOnNewConnection, podctl, podctlOk, sh, uniqueName } from './harness/run.js';

// Services with the workloads in front of them, on the real kernel: a Deployment behind
// `podctl expose deployment` keeps answering through a rollout and a scale-down; a real UDP
// service (a static responder in the busybox image) survives an endpoint's removal; podctl
// SIGKILLed while it rewrites the rules leaves the old or the new table, and gc converges.
let work: string;
let leaks: LeakChecker;
/** Services made by `expose` (no manifest in work to delete them by). */
const exposed: string[] = [];

async function file(name: string, text: string): Promise<string> {
  const path = join(work, `${name}.yaml`);
  await writeFile(path, text);
  return path;
}

async function clusterIP(name: string): Promise<string> {
  return (JSON.parse((await podctlOk(['get', 'svc', name, '-o', 'json'])).stdout) as { spec: { clusterIP: string } }).spec.clusterIP;
}

const get = getOnNewConnection;

/** The first line where two listings differ, for a failure message. */
const firstDiff = (a: string, b: string) => {
  const [x, y] = [a.split('\n'), b.split('\n')];
  const i = x.findIndex((line, n) => line !== y[n]);
  return `line ${i + 1}: ${JSON.stringify(x[i])} vs ${JSON.stringify(y[i])}`;
};

const table = () => sh('nft', ['list', 'table', 'ip', 'podctl']).catch(() => '<no table>');

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-svcwl-'));
});

after(async () => {
  await podctl(['delete', '-f', work, '--ignore-not-found']);
  if (exposed.length) await podctl(['delete', 'svc', ...exposed, '--ignore-not-found']);
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

describe('a Deployment behind a Service', () => {
  const name = uniqueName('pct-swl');
  const deployment = (version: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: ${name}, tier: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: httpd
          image: busybox
          env: [{ name: VERSION, value: "v${version}" }]
          command: [sh, -c, 'mkdir -p /www && echo "$VERSION $(hostname)" > /www/index.html && sleep 1 && exec httpd -f -p 80 -h /www']
          readinessProbe: { httpGet: { path: /, port: 80 }, periodSeconds: 1 }
`;

  // Each new pod listens a second after it starts: only its readiness probe may let it join.
  it('expose deployment selects its matchLabels; a rollout and a scale-down with a request loop running lose no request', async () => {
    await podctlOk(['apply', '-f', await file('deploy', deployment(1))]);
    exposed.push(name);
    assert.equal((await podctlOk(['expose', 'deployment', name, '--port', '8080', '--target-port', '80'])).stdout, `service/${name} exposed`);
    const svc = JSON.parse((await podctlOk(['get', 'svc', name, '-o', 'json'])).stdout) as { spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number }> } };
    assert.deepEqual(svc.spec.selector, { app: name }, "the Deployment's selector, not its template's other labels or pod-template-hash");
    assert.deepEqual([svc.spec.ports[0]!.port, svc.spec.ports[0]!.targetPort], [8080, 80]);
    const ip = await clusterIP(name);
    assert.match(await get(ip, 8080), /^v1 /);

    let stop = false;
    const failures: string[] = [];
    const answers: string[] = [];
    const loop = (async () => {
      while (!stop) await get(ip, 8080).then((a) => answers.push(a), (e: Error) => failures.push(e.message));
    })();
    try {
      const rollout = (await podctlOk(['apply', '-f', await file('deploy', deployment(2))])).stdout;
      assert.match(rollout, /configured/);
      await podctlOk(['scale', 'deployment', name, '--replicas', '1']);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      stop = true;
      await loop;
    }
    assert.deepEqual(failures, [], `${failures.length} of ${failures.length + answers.length} requests failed`);
    assert.ok(answers.length > 20, `only ${answers.length} requests ran during the rollout`);
    assert.match(answers.at(-1)!, /^v2 /, 'the last answers come from the new template');
    const eps = (await podctlOk(['get', 'ep', name])).stdout;
    assert.match(eps, new RegExp(`${name}\\s+\\d+\\.\\d+\\.\\d+\\.\\d+:80\\s`), 'one endpoint after the scale-down');

    const refused = await podctl(['expose', 'deployment', 'no-such-deploy', '--port', '80']);
    assert.notEqual(refused.exitCode, 0);
    assert.match(refused.stderr, /^podctl: deployment default\/no-such-deploy not found/);
    await podctlOk(['delete', 'svc', name]);
    await podctlOk(['delete', '-f', join(work, 'deploy.yaml')]);
    await rm(join(work, 'deploy.yaml'));
  });
});

describe('a UDP service', () => {
  it('carries datagrams to a pod and, after that endpoint is removed, the same flow reaches the other one', async () => {
    const binary = join(work, 'udp-echo');
    await sh('gcc', ['-static', '-O2', '-o', binary, join(REPO_ROOT, 'e2e', 'fixtures', 'udp-echo', 'udp-echo.c')]);
    const app = uniqueName('pct-udp');
    const pods = [uniqueName('pct-udp'), uniqueName('pct-udp')];
    await Promise.all(pods.map((pod) => podctlOk(['run', '--image', 'busybox', '--name', pod, '--label', `app=${app}`, '--stop-timeout', '1', '--volume', `${binary}:/udp-echo:ro`, '--', '/udp-echo', '5353'])));
    let socket: Socket | undefined;
    try {
      await podctlOk(['apply', '-f', await file('udp', `apiVersion: v1\nkind: Service\nmetadata: { name: ${app} }\nspec:\n  selector: { app: ${app} }\n  ports: [{ name: echo, port: 53, targetPort: 5353, protocol: UDP }]\n`)]);
      const ip = await clusterIP(app);
      // One socket, one source port: one conntrack flow, DNATed to one endpoint until it is flushed.
      const s = createSocket('udp4');
      socket = s;
      await new Promise<void>((resolve) => s.bind(0, '0.0.0.0', resolve));
      const ask = () =>
        new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no answer in 1 s')), 1000);
          s.once('message', (m) => {
            clearTimeout(timer);
            resolve(String(m));
          });
          s.send('who', 53, ip);
        });
      const first = await ask();
      assert.ok(pods.includes(first), `answered by ${first}`);
      for (let i = 0; i < 5; i++) assert.equal(await ask(), first, 'one flow stays on its endpoint');
      await podctlOk(['rm', '-f', first]);
      const other = pods.find((p) => p !== first)!;
      for (let i = 0; i < 5; i++) assert.equal(await ask(), other, 'the flow moved to the endpoint that is left');
    } finally {
      socket?.close();
      await podctl(['rm', '-f', ...pods]);
      await podctl(['delete', '-f', join(work, 'udp.yaml'), '--ignore-not-found']);
      await rm(join(work, 'udp.yaml'), { force: true });
    }
  });
});

describe('crash safety of the rules', () => {
  it('SIGKILL during an apply leaves the old or the new table, never a mix; gc converges', async () => {
    // Enough services that the rules take a while to render and load.
    const many = (round: number) =>
      Array.from({ length: 20 }, (_, i) => `apiVersion: v1\nkind: Service\nmetadata: { name: crash-${round}-${i} }\nspec:\n  type: NodePort\n  selector: { app: crash-${i} }\n  ports: [{ name: http, port: 80 }, { name: dns, port: 53, protocol: UDP }]\n`).join('---\n');
    const started = Date.now();
    await podctlOk(['apply', '-f', await file('crash-0', many(0))]);
    const full = Date.now() - started;
    const outcomes: string[] = [];
    for (let round = 1; round <= 6; round++) {
      const before = await table();
      const path = await file(`crash-${round}`, many(round));
      const child = execa(PODCTL, ['apply', '-f', path], { reject: false });
      // Spread the kills over the second half of the command and just past it (start-up takes
      // the first half): records written, rules being written, record of the rules.
      await new Promise((r) => setTimeout(r, Math.round(full * (0.45 + (0.65 * round) / 6))));
      child.kill('SIGKILL');
      await child;
      const mid = await table();
      await podctlOk(['gc']);
      const converged = await table();
      assert.ok(mid === before || mid === converged, `round ${round}: the table after the kill is neither the old (${firstDiff(mid, before)}) nor the converged one (${firstDiff(mid, converged)})`);
      outcomes.push(mid === before ? (mid === converged ? 'untouched' : 'old') : 'new');
      // Converged: after the same apply run whole, gc finds nothing to change.
      await podctlOk(['apply', '-f', path]);
      const applied = await table();
      await podctlOk(['gc']);
      assert.equal(await table(), applied, `round ${round}: gc changed the rules of a completed apply`);
    }
    process.stderr.write(`# kill outcomes: ${outcomes.join(', ')} (full apply ${full} ms)\n`);
    for (let round = 0; round <= 6; round++) {
      await podctlOk(['delete', '-f', join(work, `crash-${round}.yaml`), '--ignore-not-found']);
      await rm(join(work, `crash-${round}.yaml`));
    }
  });
});

describe('an apply killed during its readiness wait', () => {
  it('leaves the pod out of its Service as not ready; the next apply waits for it again and it joins once ready', async () => {
    const name = uniqueName('pct-swl-wait');
    // Ready only once /tmp/ready exists, which the test makes after the kill.
    const path = await file(name, `apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${name} }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: apps/v1
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
          command: [httpd, -f, -p, '8080', -h, /]
          readinessProbe: { exec: { command: [test, -f, /tmp/ready] }, periodSeconds: 1 }
`);
    const child = execa(PODCTL, ['apply', '-f', path], { reject: false });
    const pod = async () => (await podctlOk(['get', 'pods', '-l', `app=${name}`, '-o', 'name'])).stdout.trim().replace(/^pod\//, '');
    try {
      await eventually(async () => assert.notEqual(await pod(), ''), 20_000);
      // The pod runs and its wait goes on: kill the command that waits.
      await eventually(async () => assert.match((await podctlOk(['get', 'pods', '-l', `app=${name}`])).stdout, /\sRunning\s/), 20_000);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
    assert.match((await podctlOk(['get', 'ep', name])).stdout, new RegExp(`${name}\\s+<none>`), 'not ready: not an endpoint');
    assert.match((await podctlOk(['get', 'deploy', name])).stdout, new RegExp(`${name}\\s+0/1`), 'not ready: not counted ready');
    await podctlOk(['exec', await pod(), '--', 'touch', '/tmp/ready']);
    await podctlOk(['apply', '-f', path]);
    assert.match((await podctlOk(['get', 'deploy', name])).stdout, new RegExp(`${name}\\s+1/1`));
    assert.match((await podctlOk(['get', 'ep', name])).stdout, new RegExp(`${name}\\s+[\\d.]+:8080`), 'ready: an endpoint');
    await podctlOk(['delete', '-f', path]);
  });
});
