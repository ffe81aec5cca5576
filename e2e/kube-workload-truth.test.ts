import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { podsWith, writeManifest, type PodJson } from './harness/kube.js';
import { fetchText, inspectPod, podctl, podctlOk, sh, type CliResult } from './harness/run.js';
import { assertOneErrorLine, clearAsRebootWould, engineRestartSkip, restartEngine } from './reliability-support.js';

// What a workload's status means, on the real engine: after dockerd is killed and started
// again a re-apply brings every workload back (pods restarted in place, Services answering);
// apply --wait, scale --wait, rollout status and wait --for=condition=available say 0 only
// when the replicas are ready; concurrent commands on one workload converge to the stored spec.
// Each test deletes what it applied and ends with the leak checker.
let leaks: LeakChecker;
let work: string;

beforeEach(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-wt-'));
});

afterEach(async () => {
  await podctl(['delete', '--ignore-not-found', '-f', work], { timeoutMs: 180_000 });
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

const manifest = (name: string, text: string) => writeManifest(work, name, text);

const podsOf = (app: string) => podsWith(`app=${app}`);
const namesOf = (pods: PodJson[]) => pods.map((p) => p.metadata.name).sort();

interface WorkloadJson {
  metadata: { generation?: number };
  spec: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; updatedReplicas?: number };
}
const workload = async (kind: string, name: string): Promise<WorkloadJson> => JSON.parse((await podctlOk(['get', kind, name, '-o', 'json'])).stdout) as WorkloadJson;

const clusterIP = async (name: string): Promise<string> => (JSON.parse((await podctlOk(['get', 'svc', name, '-o', 'json'])).stdout) as { spec: { clusterIP: string } }).spec.clusterIP;
const endpointIPs = async (name: string): Promise<string[]> => {
  const ep = JSON.parse((await podctlOk(['get', 'endpoints', name, '-o', 'json'])).stdout) as { subsets?: Array<{ addresses?: Array<{ ip: string }> }> };
  return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
};

/** A busybox web server answering `<app> <pod name>` on :8080/id, ready once it answers. */
const server = (app: string) => `
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: busybox
          command: [sh, -c, 'mkdir -p /www && echo "${app} $(hostname)" > /www/id && exec httpd -f -p 8080 -h /www']
          readinessProbe: { httpGet: { path: /id, port: 8080 }, periodSeconds: 1 }`;

const deployment = (name: string, replicas: number, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} }${extra ? `, annotations: { version: "${extra}" }` : ''} }
    spec:${server(name)}
---
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${name} }
  ports: [{ port: 80, targetPort: 8080 }]
`;

const APP = `${deployment('pct-wt-web', 2)}---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: pct-wt-db }
spec:
  replicas: 2
  serviceName: pct-wt-db
  selector: { matchLabels: { app: pct-wt-db } }
  template:
    metadata: { labels: { app: pct-wt-db } }
    spec:${server('pct-wt-db')}
---
apiVersion: v1
kind: Service
metadata: { name: pct-wt-db }
spec:
  selector: { app: pct-wt-db }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: batch/v1
kind: Job
metadata: { name: pct-wt-once }
spec:
  template:
    metadata: { labels: { app: pct-wt-once } }
    spec:
      restartPolicy: Never
      containers: [{ name: once, image: busybox, command: [sh, -c, 'echo done'] }]
`;

/** The Service answers through its ClusterIP, from one of the given pods. */
async function assertAnswers(service: string, pods: string[]): Promise<void> {
  const ip = await clusterIP(service);
  const { body } = await fetchText(`http://${ip}/id`);
  const [app, pod] = body.trim().split(' ');
  assert.equal(app, service);
  assert.ok(pods.includes(pod!), `${service} answered from ${pod}, not one of ${pods.join(', ')}`);
}

describe('after dockerd is killed and started again', async () => {
  const skip = await engineRestartSkip();

  it('a re-apply brings every workload back in place: the same pods, restarts counted, Services answering, no duplicate', { skip, timeout: 600_000 }, async () => {
    const file = await manifest('app', APP);
    await podctlOk(['apply', '-f', file, '--wait', '--timeout', '120'], { timeoutMs: 300_000 });
    await podctlOk(['wait', '--for=condition=complete', 'job/pct-wt-once', '--timeout', '60s']);
    const web = namesOf(await podsOf('pct-wt-web'));
    const db = namesOf(await podsOf('pct-wt-db'));
    assert.deepEqual([web.length, db], [2, ['pct-wt-db-0', 'pct-wt-db-1']]);

    await restartEngine(undefined, 'SIGKILL');
    // Down: nothing of the app is ready, and the status says so (no command has run a controller yet).
    const down = await workload('deploy', 'pct-wt-web');
    assert.equal(down.status?.readyReplicas, 0, 'every pod went down with the engine');

    const again = await podctlOk(['apply', '-f', file, '--wait', '--timeout', '120'], { timeoutMs: 300_000 });
    assert.match(again.stdout, /^deployment\.apps\/pct-wt-web configured$/m, 'the re-apply says it acted');
    assert.match(again.stdout, /^statefulset\.apps\/pct-wt-db configured$/m);
    for (const pod of [...web, ...db]) assert.match(again.stdout, new RegExp(`^pod/${pod} restarted$`, 'm'));
    assert.match(again.stdout, /^job\.batch\/pct-wt-once unchanged$/m, 'a finished Job stays finished');
    assert.match(again.stdout, /^deployment\.apps\/pct-wt-web rolled out$/m);

    // In place: the same pods, each restart counted, all ready; no duplicate.
    const webAfter = await podsOf('pct-wt-web');
    const dbAfter = await podsOf('pct-wt-db');
    assert.deepEqual(namesOf(webAfter), web);
    assert.deepEqual(namesOf(dbAfter), db);
    for (const p of [...webAfter, ...dbAfter]) {
      assert.equal(p.status?.phase, 'Running', `${p.metadata.name} runs`);
      assert.ok((p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, `${p.metadata.name}: the restart is counted`);
    }
    assert.deepEqual([(await workload('deploy', 'pct-wt-web')).status?.readyReplicas, (await workload('sts', 'pct-wt-db')).status?.readyReplicas], [2, 2]);
    assert.match((await podctlOk(['get', 'jobs', 'pct-wt-once'])).stdout, /pct-wt-once\s+Complete\s+1\/1/);

    // The same Services answer, from the restarted pods, whose new addresses are their endpoints.
    await assertAnswers('pct-wt-web', web);
    await assertAnswers('pct-wt-db', db);
    assert.deepEqual(await endpointIPs('pct-wt-web'), webAfter.map((p) => p.status!.podIP!).sort());

    // Now everything is as wanted: a re-apply has nothing to do.
    const third = await podctlOk(['apply', '-f', file]);
    assert.match(third.stdout, /^deployment\.apps\/pct-wt-web unchanged$/m);
    assert.doesNotMatch(third.stdout, /restarted|created$/m);
  });
});

describe('after a reboot (simulated)', async () => {
  const skip = await engineRestartSkip();

  it('a re-apply brings the workload back; a bare pod stays stopped until podctl start', { skip, timeout: 600_000 }, async () => {
    const file = await manifest('boot', deployment('pct-wt-boot', 2));
    await podctlOk(['apply', '-f', file, '--wait', '--timeout', '120'], { timeoutMs: 300_000 });
    const bare = 'pct-wt-bare';
    await podctlOk(['run', '--image', 'busybox', '--name', bare, '--', 'sleep', '3600']);
    try {
      const pods = namesOf(await podsOf('pct-wt-boot'));
      // What a reboot clears: /var/run/netns and /run/podctl are tmpfs (Docker's containers stay, stopped).
      await restartEngine(() => clearAsRebootWould([...pods, bare]));
      const again = await podctlOk(['apply', '-f', file, '--wait', '--timeout', '120'], { timeoutMs: 300_000 });
      assert.match(again.stdout, /^deployment\.apps\/pct-wt-boot configured$/m);
      for (const pod of pods) assert.match(again.stdout, new RegExp(`^pod/${pod} restarted$`, 'm'));
      assert.deepEqual(namesOf(await podsOf('pct-wt-boot')), pods, 'the same pods, restarted in place');
      await assertAnswers('pct-wt-boot', pods);
      assert.equal((await inspectPod(bare)).state, 'stopped', 'a bare pod stays as the reboot left it');
      await podctlOk(['start', bare]);
      assert.equal((await inspectPod(bare)).state, 'running');
    } finally {
      await podctl(['rm', '-f', bare]);
    }
  });
});

describe('waits say 0 only when the replicas are ready', () => {
  it('apply --wait, wait --for=condition=available and rollout status exit 1 on a crash-looping template, 0 once a good one is out', { timeout: 300_000 }, async () => {
    const crashing = await manifest('crash', `apiVersion: apps/v1
kind: Deployment
metadata: { name: pct-wt-crash }
spec:
  replicas: 2
  selector: { matchLabels: { app: pct-wt-crash } }
  template:
    metadata: { labels: { app: pct-wt-crash } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: app, image: busybox, command: [sh, -c, 'exit 3'] }]
`);
    const applied = await podctl(['apply', '-f', crashing, '--wait', '--timeout', '8']);
    assert.match(applied.stdout, /^deployment\.apps\/pct-wt-crash created$/m);
    assertOneErrorLine(applied, 1, /timed out waiting for deployment\.apps\/pct-wt-crash \(rolled-out\): 0 of 2 updated replicas are ready/);

    const waited = await podctl(['wait', '--for=condition=available', 'deployment/pct-wt-crash', '--timeout', '3s']);
    assertOneErrorLine(waited, 1, /0 of 2 replicas are available \(needs 2\)/);
    assertOneErrorLine(await podctl(['rollout', 'status', 'deployment/pct-wt-crash', '--timeout', '3']), 1, /0 of 2 updated replicas are ready/);
    assertOneErrorLine(await podctl(['apply', '-f', crashing, '--wait', '--timeout', '3']), 1, /0 of 2 updated replicas are ready/);

    // The same Deployment with a template that works: rolled out, available, ready.
    const good = await manifest('crash', deployment('pct-wt-crash', 2).split('---')[0]!);
    const fixed = await podctlOk(['apply', '-f', good, '--wait', '--timeout', '120'], { timeoutMs: 180_000 });
    assert.match(fixed.stdout, /^deployment\.apps\/pct-wt-crash configured$/m);
    assert.match(fixed.stdout, /^deployment\.apps\/pct-wt-crash rolled out$/m);
    assert.match((await podctlOk(['wait', '--for=condition=available', 'deployment/pct-wt-crash', '--timeout', '10s'])).stdout, /condition met/);
    assert.match((await podctlOk(['wait', '--for=condition=ready', 'deploy/pct-wt-crash', '--timeout', '10s'])).stdout, /condition met/);
    assert.match((await podctlOk(['rollout', 'status', 'deployment/pct-wt-crash'])).stdout, /successfully rolled out/);
    assert.equal((await podsOf('pct-wt-crash')).length, 2, 'the crashing pods were replaced, not added to');
  });
});

describe('concurrent commands on one workload converge to the stored spec', () => {
  /** Many podctl at once, each within its own timeout. */
  const all = (commands: string[][], timeoutMs = 240_000): Promise<CliResult[]> => Promise.all(commands.map((args) => podctl(args, { timeoutMs })));

  async function assertConverged(name: string): Promise<number> {
    const d = await workload('deploy', name);
    const want = d.spec.replicas ?? 1;
    const pods = await podsOf(name);
    assert.equal(pods.length, want, `pods = spec.replicas (${want}): ${namesOf(pods).join(', ')}`);
    assert.ok(pods.every((p) => p.status?.phase === 'Running'), 'every pod runs');
    assert.deepEqual([d.status?.readyReplicas, d.status?.updatedReplicas], [want, want], `READY ${want}/${want}`);
    assert.deepEqual(await endpointIPs(name), pods.map((p) => p.status!.podIP!).sort(), "the Service's endpoints are the running pods");
    return want;
  }

  it('20 scales at once with random targets: pods = spec.replicas, all ready, the Service follows, every command ends', { timeout: 600_000 }, async () => {
    await podctlOk(['apply', '-f', await manifest('sc', deployment('pct-wt-sc', 2)), '--wait'], { timeoutMs: 180_000 });
    const targets = Array.from({ length: 20 }, () => 1 + Math.floor(Math.random() * 3));
    // Half wait for readiness: a wait that another scale superseded ends saying so, with 0.
    const results = await all(targets.map((n, i) => ['scale', 'deployment', 'pct-wt-sc', '--replicas', String(n), ...(i % 2 ? ['--wait', '--timeout', '180'] : [])]));
    for (const [i, r] of results.entries()) {
      assert.equal(r.exitCode, 0, `scale #${i} to ${targets[i]}: ${r.stderr}`);
      assert.match(r.stdout, /^deployment\.apps\/pct-wt-sc scaled$/m);
      if (i % 2) assert.match(r.stdout, /successfully rolled out|changed by another command since/);
    }
    const want = await assertConverged('pct-wt-sc');
    assert.ok(targets.includes(want), `spec.replicas ${want} is one of the targets ${targets.join(',')}`);
    assert.match((await podctlOk(['rollout', 'status', 'deployment/pct-wt-sc'])).stdout, /successfully rolled out/);
  });

  it('an apply of a changed template during scales: the rollout finishes at the stored replica count', { timeout: 600_000 }, async () => {
    await podctlOk(['apply', '-f', await manifest('ro', deployment('pct-wt-ro', 2)), '--wait'], { timeoutMs: 180_000 });
    const v2 = await manifest('ro', deployment('pct-wt-ro', 2, 'v2'));
    const results = await all([['apply', '-f', v2, '--wait', '--timeout', '180'], ['scale', 'deployment', 'pct-wt-ro', '--replicas', '3'], ['scale', 'deployment', 'pct-wt-ro', '--replicas', '1', '--wait', '--timeout', '180']]);
    for (const r of results) assert.equal(r.exitCode, 0, r.stderr);
    assert.match((await podctlOk(['rollout', 'status', 'deployment/pct-wt-ro', '--timeout', '120'], { timeoutMs: 180_000 })).stdout, /successfully rolled out/);
    const want = await assertConverged('pct-wt-ro');
    const hashes = new Set((await podsOf('pct-wt-ro')).map((p) => p.metadata.labels?.['pod-template-hash']));
    assert.equal(hashes.size, 1, `every one of the ${want} pods is of the new template`);
  });

  it('delete deployment during scales: nothing of the Deployment is left', { timeout: 600_000 }, async () => {
    await podctlOk(['apply', '-f', await manifest('del', deployment('pct-wt-del', 2)), '--wait'], { timeoutMs: 180_000 });
    const results = await all([['scale', 'deployment', 'pct-wt-del', '--replicas', '3'], ['delete', 'deployment', 'pct-wt-del'], ['scale', 'deployment', 'pct-wt-del', '--replicas', '1']]);
    assert.equal(results[1]!.exitCode, 0, results[1]!.stderr);
    // A scale either came first (and its pods went with the Deployment) or found it gone.
    for (const r of [results[0]!, results[2]!]) if (r.exitCode !== 0) assertOneErrorLine(r, 1, /not found/);
    assert.deepEqual(await podsOf('pct-wt-del'), [], 'no pod of the Deployment is left');
    assert.equal((await podctl(['get', 'deploy', 'pct-wt-del'])).exitCode, 1, 'no record is left');
    assert.match((await podctl(['describe', 'deploy', 'pct-wt-del'])).stderr, /not found/);
  });
});
