import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { PODCTL, getOnNewConnection, podctl, podctlOk, sh, uniqueName } from './harness/run.js';
import { killServe, sleep, startServe, stopServe, type Serve } from './harness/serve.js';
import { deploymentYaml } from './harness/manifests.js';
import { engineRestartSkip, restartEngine } from './reliability-support.js';

// Crash safety of `podctl serve` on the real engine: `kill -9` of serve in the middle of a Job
// or of a Deployment's rollout, and a dockerd restart under it, end as if nothing had happened:
// the same Job outcome and counts as a run without the kill, a rollout that finishes within its
// maxUnavailable and maxSurge with no request lost, no duplicate pod, and a container podctl
// did not make left alone.
let work: string;
let leaks: LeakChecker;
let serve: Serve | undefined;
const cleanup: string[][] = [];

interface PodJson {
  name: string;
  state: string;
  awaitingReady?: boolean;
  labels: Record<string, string>;
}

async function podsWith(label: string): Promise<PodJson[]> {
  return JSON.parse((await podctlOk(['ps', '-a', '-o', 'json', '--filter', `label=${label}`])).stdout) as PodJson[];
}

const isReady = (p: PodJson) => p.state === 'running' && !p.awaitingReady;

async function manifest(name: string, text: string): Promise<string> {
  const file = join(work, `${name}.yaml`);
  await writeFile(file, text);
  return file;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'pct-serve-crash-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

beforeEach(async () => {
  leaks = await LeakChecker.start();
});

afterEach(async () => {
  if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
  await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
  serve = undefined;
  for (const args of cleanup.splice(0)) await podctl(args);
  await leaks.assertClean();
});

describe('podctl serve killed with -9', () => {
  /** What a Job ended with: the part of its status a user reads, and how many pods it made. */
  interface Cond {
    type: string;
    status?: string;
    reason?: string;
  }
  interface JobOutcome {
    succeeded: number;
    failed: number;
    conditions: string[];
    pods: number;
  }

  async function jobOutcome(name: string, timeoutMs: number): Promise<JobOutcome> {
    const started = Date.now();
    for (;;) {
      const job = JSON.parse((await podctlOk(['get', 'job', name, '-o', 'json'])).stdout) as {
        status?: { succeeded?: number; failed?: number; active?: number; condition?: Cond; conditions?: Cond[] };
      };
      // Kubernetes' conditions list, or podctl's one ending condition where it keeps only that.
      const all = job.status?.conditions ?? (job.status?.condition ? [{ status: 'True', ...job.status.condition }] : []);
      const conditions = all.filter((c) => c.status === 'True').map((c) => `${c.type}/${c.reason ?? ''}`);
      if (conditions.some((c) => /^(Complete|Failed)\//.test(c)) && !job.status?.active) {
        // `get` shows a condition once the pods reached it (a failed Job's once the controller
        // removed its active pods): the outcome is settled once no pod is running, being made
        // or being removed.
        const pods = await podsWith(`job-name=${name}`);
        const settled = pods.every((p) => !['running', 'creating', 'removing'].includes(p.state));
        if (settled) return { succeeded: job.status?.succeeded ?? 0, failed: job.status?.failed ?? 0, conditions: conditions.sort(), pods: pods.length };
      }
      assert.ok(Date.now() - started < timeoutMs, `job ${name} did not end within ${timeoutMs} ms: ${JSON.stringify(job.status)}`);
      await sleep(250);
    }
  }

  /**
   * Runs the Job under serve; with `killWhen`, serve is killed with -9 once it holds, and
   * started again `downMs` later.
   */
  async function runJob(name: string, spec: string, killWhen?: () => Promise<boolean>, downMs = 1500): Promise<JobOutcome> {
    const file = await manifest(name, `apiVersion: batch/v1
kind: Job
metadata: { name: ${name} }
spec:
${spec}
`);
    cleanup.push(['delete', '-f', file, '--ignore-not-found']);
    await podctlOk(['apply', '-f', file]);
    if (killWhen) {
      const started = Date.now();
      while (!(await killWhen())) {
        assert.ok(Date.now() - started < 60_000, `${name}: the moment to kill serve never came`);
        await sleep(100);
      }
      await killServe(serve!);
      await sleep(downMs);
      serve = await startServe();
    }
    const outcome = await jobOutcome(name, 90_000);
    // An ended Job's record stays as it is: a sync that wrote its unchanged status woke its own
    // controller again, forever.
    const version = async () => (JSON.parse((await podctlOk(['get', 'job', name, '-o', 'json'])).stdout) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    await sleep(1000);
    const ended = await version();
    await sleep(2000);
    assert.equal(await version(), ended, `${name}: the ended Job's record was written again`);
    return outcome;
  }

  const failing = `  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers: [{ name: c, image: busybox, command: [sh, -c, 'sleep 1; exit 3'] }]`;
  const deadline = `  activeDeadlineSeconds: 6
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers: [{ name: c, image: busybox, command: [sleep, '600'] }]`;

  it('a Job past its backoffLimit ends with the same status and pods as without the kill', async () => {
    serve = await startServe();
    const base = uniqueName('pct-scj');
    const reference = await runJob(`${base}-b0`, failing);
    // Killed after the first pod failed (a retry is due).
    const killed = await runJob(`${base}-b1`, failing, async () => (await podsWith(`job-name=${base}-b1`)).some((p) => p.state !== 'running'));
    process.stderr.write(`# serve-crash: backoff job without a kill ${JSON.stringify(reference)}; with one ${JSON.stringify(killed)}\n`);
    assert.deepEqual(reference, { succeeded: 0, failed: 3, conditions: ['Failed/BackoffLimitExceeded'], pods: 3 });
    assert.deepEqual(killed, reference);
  });

  // As Kubernetes' Job controller: past the deadline the active pod is removed before the Job
  // reads Failed (#21: the pod used to look 'degraded' while it was stopped and was counted as left).
  it('a Job past its activeDeadlineSeconds ends with the same status and pods as without the kill', async () => {
    serve = await startServe();
    const base = uniqueName('pct-scj');
    const reference = await runJob(`${base}-d0`, deadline);
    // Killed once the Job's pod is made (serve is down when the deadline passes: the next serve must end the Job itself).
    const killed = await runJob(`${base}-d1`, deadline, async () => (await podsWith(`job-name=${base}-d1`)).length > 0, 8000);
    process.stderr.write(`# serve-crash: deadline job without a kill ${JSON.stringify(reference)}; with one ${JSON.stringify(killed)}\n`);
    assert.deepEqual([reference.conditions, reference.pods], [['Failed/DeadlineExceeded'], 0]);
    assert.deepEqual(killed, reference);
  });

  it('a 10-replica rollout goes on after kill -9 of serve: maxUnavailable and maxSurge hold, no request lost, no duplicate', async () => {
    const name = uniqueName('pct-scr');
    const deployment = (version: number) =>
      deploymentYaml(name, {
        replicas: 10,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
        image: 'busybox',
        env: { VERSION: String(version) },
        command: ['sh', '-c', 'echo ok > /tmp/index.html; exec httpd -f -p 80 -h /tmp'],
      });
    const v1 = await manifest(`${name}-v1`, deployment(1));
    const v2 = await manifest(`${name}-v2`, deployment(2));
    cleanup.push(['delete', 'svc', name, '--ignore-not-found'], ['delete', '-f', v2, '--ignore-not-found']);
    serve = await startServe();
    await podctlOk(['apply', '-f', v1, '--wait'], { timeoutMs: 120_000 });
    await podctlOk(['expose', 'deployment', name, '--port', '80']);
    const ip = (JSON.parse((await podctlOk(['get', 'svc', name, '-o', 'json'])).stdout) as { spec: { clusterIP: string } }).spec.clusterIP;
    const oldHash = (await podsWith(`app=${name}`))[0]!.labels['pod-template-hash'];

    // The request loop on the ClusterIP and a sampler of the pods, both until the end.
    const failures: string[] = [];
    let requests = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        requests++;
        await getOnNewConnection(ip, 80, 2000).catch((err: Error) => failures.push(`${new Date().toISOString()} ${err.message}`));
        await sleep(20);
      }
    })();
    const samples: Array<{ ready: number; total: number; updated: number; pods: string }> = [];
    const sample = async () => {
      const pods = await podsWith(`app=${name}`);
      const s = {
        ready: pods.filter(isReady).length,
        total: pods.length,
        updated: pods.filter((p) => p.labels['pod-template-hash'] !== oldHash && isReady(p)).length,
        pods: pods.map((p) => `${p.name} ${p.state}${p.awaitingReady ? ' (not ready)' : ''}`).join(', '),
      };
      samples.push(s);
      return s;
    };
    const sampler = (async () => {
      while (running) await sample();
    })();
    const until = async (what: string, ok: (s: { ready: number; total: number; updated: number }) => boolean, timeoutMs: number) => {
      const started = Date.now();
      while (!ok(samples.at(-1) ?? { ready: 0, total: 0, updated: 0, pods: '' })) {
        assert.ok(Date.now() - started < timeoutMs, `${what} within ${timeoutMs} ms; last: ${JSON.stringify(samples.at(-1))}`);
        await sleep(50);
      }
    };

    let restartedAt = 0;
    const rolloutStarted = Date.now();
    try {
      // The command that starts the rollout is killed too once it has begun, so that serve
      // carries it on; then serve is killed with -9 halfway and started again.
      const apply = execa(PODCTL, ['apply', '-f', v2], { reject: false, stdin: 'ignore' });
      await until('a first pod of the new template', (s) => s.updated >= 1, 30_000);
      apply.kill('SIGKILL');
      await apply;
      await until('serve carries the rollout on to 5 new pods', (s) => s.updated >= 5, 60_000);
      await killServe(serve);
      await sleep(1000);
      serve = await startServe();
      restartedAt = Date.now();
      await until('all 10 pods of the new template Ready, no other', (s) => s.updated === 10 && s.total === 10, 90_000);
    } finally {
      running = false;
      await Promise.all([loop, sampler]);
    }
    const final = await podsWith(`app=${name}`);
    process.stderr.write(`# serve-crash: rollout of 10 in ${Date.now() - rolloutStarted} ms (${Date.now() - restartedAt} ms after serve came back), ${samples.length} samples, fewest Ready ${Math.min(...samples.map((s) => s.ready))}, most pods ${Math.max(...samples.map((s) => s.total))}; ${requests} requests, ${failures.length} failed\n`);
    assert.equal(final.length, 10);
    assert.ok(final.every((p) => isReady(p) && p.labels['pod-template-hash'] !== oldHash));
    const short = samples.find((s) => s.ready < 9);
    assert.ok(!short, `maxUnavailable 1: ${short?.ready} Ready: ${short?.pods}`);
    const surplus = samples.find((s) => s.total > 11);
    assert.ok(!surplus, `maxSurge 1: ${surplus?.total} pods at once: ${surplus?.pods}`);
    assert.deepEqual(failures, [], `of ${requests} requests`);
  });
});

describe('podctl serve across a dockerd restart', async () => {
  const skip = await engineRestartSkip();

  it('survives or says why it ended, converges without a duplicate pod, and leaves a container it did not make alone', { skip }, async () => {
    const name = uniqueName('pct-scd');
    const foreign = uniqueName('pct-foreign');
    const file = await manifest(name, deploymentYaml(name, { replicas: 3, container: 'c', image: 'busybox', command: ['sleep', '3600'] }));
    cleanup.push(['delete', '-f', file, '--ignore-not-found']);
    await sh('docker', ['run', '-d', '--name', foreign, 'busybox', 'sleep', '600']);
    try {
      const foreignBefore = (await sh('docker', ['inspect', '-f', '{{.Id}} {{.State.StartedAt}} {{.RestartCount}}', foreign])).trim();
      serve = await startServe();
      await podctlOk(['apply', '-f', file, '--wait'], { timeoutMs: 60_000 });

      await restartEngine();
      // serve follows Docker again on its own, or it ended with a line that says why.
      await sleep(2000);
      if (serve.child.exitCode !== null) {
        assert.match(serve.stderr().trim().split('\n').at(-1)!, /docker|engine/i, 'serve ended saying why');
        serve = await startServe();
      }
      const started = Date.now();
      let most = 0;
      for (;;) {
        const pods = await podsWith(`app=${name}`);
        most = Math.max(most, pods.length);
        if (pods.length === 3 && pods.every(isReady)) break;
        assert.ok(Date.now() - started < 60_000, `3 Ready pods within 60 s of the restart: ${pods.map((p) => `${p.name} ${p.state}`).join(', ')}`);
        await sleep(200);
      }
      process.stderr.write(`# serve-crash: 3 Ready pods ${Date.now() - started} ms after dockerd came back, most pods at once ${most}\n`);
      assert.ok(most <= 3, `no duplicate pod: saw ${most} at once`);
      // Not started again, not removed: the same container, as dockerd's restart left it.
      assert.equal((await sh('docker', ['inspect', '-f', '{{.Id}} {{.State.StartedAt}} {{.RestartCount}}', foreign])).trim(), foreignBefore);
    } finally {
      await execa('docker', ['rm', '-f', foreign], { reject: false });
    }
  });
});
