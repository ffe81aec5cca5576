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

it('podctl watch restarts a container whose liveness probe fails failureThreshold times in a row, and describe shows it', async () => {
  const file = join(work, 'd.yaml');
  await writeFile(file, DEPLOYMENT);
  await podctlOk(['apply', '-f', file]);
  const pod = (await podctlOk(['get', 'pods', '-l', 'app=pct-live', '-o', 'name'])).stdout.trim().replace(/^pod\//, '');
  const id = (await inspectPod(pod)).containers[0]!.id;
  const startedAt = async () => (await sh('docker', ['inspect', '-f', '{{.State.StartedAt}}', id])).trim();
  const firstStart = await startedAt();
  const watch = execa(PODCTL, ['watch'], { reject: false });
  try {
    await new Promise<void>((resolve) => watch.stderr?.on('data', (d: Buffer) => String(d).includes('watching') && resolve()));
    await eventually(async () => {
      const described = (await podctlOk(['describe', 'deployment', 'pct-live'])).stdout;
      assert.match(described, new RegExp(`Warning\\s+Unhealthy\\s+\\d+s\\s+kubelet \\(podctl watch\\)\\s+pod/${pod}: Liveness probe failed 2 times in a row: httpGet http://[\\d.]+:8080/healthz`), described);
      assert.match(described, new RegExp(`Killing .*pod/${pod}: Container web failed liveness probe, will be restarted`), described);
    }, 10_000);
    // The same container, started again (not a new pod).
    await eventually(async () => assert.notEqual(await startedAt(), firstStart), 5_000);
    assert.equal((await podctlOk(['get', 'pods', '-l', 'app=pct-live', '-o', 'name'])).stdout.trim(), `pod/${pod}`);
  } finally {
    watch.kill('SIGTERM');
    await watch;
  }
});
