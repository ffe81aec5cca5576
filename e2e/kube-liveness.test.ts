import { afterEach, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { PODCTL, eventually, inspectPod, podctl, podctlOk, sh } from './harness/run.js';

// livenessProbe under `podctl watch`: a container whose health endpoint starts failing is
// restarted after failureThreshold failures, and the workload's describe says so.
let leaks: LeakChecker;
let work: string;

beforeEach(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-live-'));
});

afterEach(async () => {
  await podctl(['delete', 'deployment', 'pct-live', '--ignore-not-found']);
  await podctl(['delete', 'pod', 'pct-live-count', '--ignore-not-found']);
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

// /healthz answers for 2 s after each start, then 404s: the probe fails from then on.
const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: pct-live }
spec:
  replicas: 1
  selector: { matchLabels: { app: pct-live } }
  template:
    metadata: { labels: { app: pct-live } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: busybox
          command: [sh, -c, 'mkdir -p /www && echo ok > /www/healthz && (sleep 2; rm /www/healthz) & exec httpd -f -p 8080 -h /www']
          livenessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 1, failureThreshold: 2 }
`;

/** Runs `fn` while `podctl watch` runs (from the moment it says it is watching), then stops it. */
async function whileWatching(fn: () => Promise<void>): Promise<void> {
  const watch = execa(PODCTL, ['watch'], { reject: false });
  try {
    await new Promise<void>((resolve, reject) => {
      watch.stderr?.on('data', (d: Buffer) => String(d).includes('watching') && resolve());
      void watch.then((r) => reject(new Error(`podctl watch ended before watching: ${r.stderr}`)));
    });
    await fn();
  } finally {
    watch.kill('SIGTERM');
    await watch;
  }
}

it('podctl watch restarts a container whose liveness probe fails failureThreshold times in a row, and describe shows it', async () => {
  const file = join(work, 'd.yaml');
  await writeFile(file, DEPLOYMENT);
  await podctlOk(['apply', '-f', file]);
  const pod = (await podctlOk(['get', 'pods', '-l', 'app=pct-live', '-o', 'name'])).stdout.trim().replace(/^pod\//, '');
  const id = (await inspectPod(pod)).containers[0]!.id;
  const startedAt = async () => (await sh('docker', ['inspect', '-f', '{{.State.StartedAt}}', id])).trim();
  const firstStart = await startedAt();
  await whileWatching(async () => {
    await eventually(async () => {
      const described = (await podctlOk(['describe', 'deployment', 'pct-live'])).stdout;
      assert.match(described, new RegExp(`Warning\\s+Unhealthy\\s+\\d+s\\s+kubelet \\(podctl watch\\)\\s+pod/${pod}: Liveness probe failed 2 times in a row: httpGet http://[\\d.]+:8080/healthz`), described);
      assert.match(described, new RegExp(`Killing .*pod/${pod}: Container web failed liveness probe, will be restarted`), described);
    }, 10_000);
    // The same container, started again (not a new pod).
    await eventually(async () => assert.notEqual(await startedAt(), firstStart), 5_000);
    assert.equal((await podctlOk(['get', 'pods', '-l', 'app=pct-live', '-o', 'name'])).stdout.trim(), `pod/${pod}`);
    await eventually(async () => assert.match((await podctlOk(['get', 'pods', '-l', 'app=pct-live'])).stdout, new RegExp(`${pod}\\s+\\d/1\\s+\\w+\\s+[1-9]\\d*\\s`)), 5_000);
  });
});

// Start 1 and 2 exit at once (Docker's restart policy restarts them: RestartCount 2); start 3
// turns unhealthy after 2 s (podctl watch restarts it: stop and start, which resets Docker's
// count); start 4 stays healthy. kubectl would say 3 restarts.
const COUNTED = `
apiVersion: v1
kind: Pod
metadata: { name: pct-live-count }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: web
      image: busybox
      command: [sh, -c, 'n=$(( $(cat /n 2>/dev/null || echo 0) + 1 )); echo $n > /n; [ $n -le 2 ] && exit 1; mkdir -p /www && echo ok > /www/healthz; [ $n -eq 3 ] && (sleep 2; rm /www/healthz) & exec httpd -f -p 8080 -h /www']
      livenessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 1, failureThreshold: 2 }
`;

it('get pods counts restarts as kubectl does: Docker\'s restart policy and podctl\'s liveness restarts, summed', async () => {
  const file = join(work, 'p.yaml');
  await writeFile(file, COUNTED);
  await podctlOk(['apply', '-f', file]);
  const id = (await inspectPod('pct-live-count')).containers[0]!.id;
  const n = async () => Number((await sh('docker', ['exec', id, 'cat', '/n'])).trim());
  await eventually(async () => assert.equal(await n(), 3), 10_000);
  assert.match((await podctlOk(['get', 'pods', 'pct-live-count'])).stdout, /pct-live-count\s+1\/1\s+Running\s+2\s/, 'Docker restarted it twice');
  await whileWatching(() => eventually(async () => assert.equal(await n(), 4), 15_000));
  assert.equal((await sh('docker', ['inspect', '-f', '{{.RestartCount}}', id])).trim(), '0', 'the liveness restart reset Docker\'s own count');
  const table = (await podctlOk(['get', 'pods', 'pct-live-count'])).stdout;
  assert.match(table, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+IP\s+AGE/, table);
  assert.match(table, /pct-live-count\s+1\/1\s+Running\s+3\s/, table);
  const json = JSON.parse((await podctlOk(['get', 'pod', 'pct-live-count', '-o', 'json'])).stdout) as { status: { containerStatuses: Array<{ restartCount: number }> } };
  assert.equal(json.status.containerStatuses[0]!.restartCount, 3);
  assert.doesNotMatch((await podctlOk(['ps'])).stdout, /RESTARTS/, 'ps stays one list call');
});
