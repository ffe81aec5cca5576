import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk, sh, uniqueName } from './harness/run.js';
import { startServe, stopServe, type Serve } from './harness/serve.js';

// The kubelet's restarts under `podctl serve`, on the real engine: a container that exits 1
// after 3 s is restarted with CrashLoopBackOff's delays (at once, then 10 s, then 20 s,
// measured from Docker's own FinishedAt/StartedAt), `get pods` shows CrashLoopBackOff with the
// kubelet's message and lastState, RESTARTS counts, a Deployment of it is never available
// (asked while its restarted container runs, and while it waits in back-off), and a stopped
// serve gives Docker's restart policy back. A container with a readiness probe that serve
// restarts is not ready again until its probe passes.
let work: string;
let leaks: LeakChecker;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface DockerState {
  Running: boolean;
  StartedAt: string;
  FinishedAt: string;
}

async function appContainer(app: string): Promise<{ pod: string; id: string }> {
  for (let i = 0; i < 100; i++) {
    const pods = JSON.parse((await podctlOk(['ps', '-a', '-o', 'json', '--filter', `label=app=${app}`])).stdout) as Array<{ name: string; containers: Array<{ id: string; role: string }> }>;
    const id = pods[0]?.containers.find((c) => c.role === 'app')?.id;
    if (id) return { pod: pods[0]!.name, id };
    await sleep(100);
  }
  throw new Error(`no app container for ${app}`);
}

async function dockerState(id: string): Promise<DockerState> {
  return JSON.parse(await sh('docker', ['inspect', '--format', '{{json .State}}', id])) as DockerState;
}

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kubelet-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('podctl serve: the kubelet', () => {
  const name = uniqueName('pct-crash');
  let serve: Serve | undefined;
  const manifests: string[] = [];

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    for (const manifest of manifests) await podctl(['delete', '-f', manifest, '--ignore-not-found']);
    await leaks.assertClean();
  });

  it('restarts a crashing container with CrashLoopBackOff delays, shows it as kubectl does, and hands Docker its policy back on stop', async () => {
    serve = await startServe();
    const manifest = join(work, 'crash.yaml');
    manifests.push(manifest);
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
        - name: app
          image: busybox
          command: ['sh', '-c', 'sleep 3; exit 1']
`,
    );
    await podctlOk(['apply', '-f', manifest]);
    const { pod, id } = await appContainer(name);

    // Each restart: the gap between the end Docker recorded and the next start.
    const gaps: number[] = [];
    let lastStart = (await dockerState(id)).StartedAt;
    let sawBackOff = false;
    let askedRunning = false;
    const deadline = Date.now() + 75_000;
    while (gaps.length < 3) {
      assert.ok(Date.now() < deadline, `3 restarts within 75 s; gaps so far ${gaps.join(', ')}`);
      const state = await dockerState(id);
      if (state.StartedAt !== lastStart) {
        gaps.push((Date.parse(state.StartedAt) - Date.parse(state.FinishedAt)) / 1000);
        lastStart = state.StartedAt;
      }
      // Asked while the restarted container runs (its 3 s, each of them "running" to Docker
      // and ready to podctl): a crash loop's running is no availability.
      if (gaps.length === 1 && !askedRunning && state.Running) {
        askedRunning = true;
        const askedAt = Date.now();
        const waited = await podctl(['wait', '--for=condition=available', `deploy/${name}`, '--timeout', '5s']);
        assert.equal(waited.exitCode, 1, `wait asked while the restarted container runs must time out: ${waited.stdout}${waited.stderr}`);
        const ended = await dockerState(id);
        assert.equal(ended.StartedAt, lastStart, 'the same run: no restart during the wait (the next waits 10 s)');
        assert.ok(askedAt < Date.parse(ended.FinishedAt), `the wait was asked before that run ended: ${new Date(askedAt).toISOString()} < ${ended.FinishedAt}`);
      }
      // Waiting out the 10 s delay after the second end: kubectl's words for it.
      if (gaps.length === 1 && !sawBackOff) {
        const table = (await podctlOk(['get', 'pods', pod])).stdout;
        if (/CrashLoopBackOff/.test(table)) {
          sawBackOff = true;
          const status = (JSON.parse((await podctlOk(['get', 'pods', pod, '-o', 'json'])).stdout) as { status: { containerStatuses: Array<Record<string, any>> } }).status.containerStatuses[0]!;
          assert.equal(status.state.waiting?.reason, 'CrashLoopBackOff', JSON.stringify(status));
          assert.equal(status.state.waiting?.message, `back-off 10s restarting failed container=app pod=${pod}_default`);
          assert.equal(status.lastState?.terminated?.exitCode, 1);
          assert.equal(status.lastState?.terminated?.reason, 'Error');
          assert.equal(status.restartCount, 1);
          assert.match(table.split('\n')[1]!, /\s0\/1\s+CrashLoopBackOff\s+1\s/, table);
        }
      }
      await sleep(200);
    }
    process.stderr.write(`# restart gaps (s): ${gaps.map((g) => g.toFixed(2)).join(', ')}\n`);
    assert.ok(gaps[0]! < 2, `the first end is restarted at once: ${gaps[0]}`);
    assert.ok(gaps[1]! >= 9.8 && gaps[1]! < 12, `then after 10 s: ${gaps[1]}`);
    assert.ok(gaps[2]! >= 19.8 && gaps[2]! < 22, `then after 20 s: ${gaps[2]}`);
    assert.ok(askedRunning, 'the wait was asked while the restarted container ran');
    assert.ok(sawBackOff, 'get pods showed CrashLoopBackOff while the 10 s delay ran');
    const table = (await podctlOk(['get', 'pods', pod])).stdout;
    assert.match(table.split('\n')[1]!, /\s3\s/, `RESTARTS counts 3: ${table}`);

    // And once its container waits in back-off (40 s now).
    for (let i = 0; i < 50 && !/CrashLoopBackOff/.test((await podctlOk(['get', 'pods', pod])).stdout); i++) await sleep(200);
    const waited = await podctl(['wait', '--for=condition=available', `deploy/${name}`, '--timeout', '5s']);
    assert.equal(waited.exitCode, 1, `wait of a crash-looping Deployment must time out: ${waited.stdout}${waited.stderr}`);

    const held = (await sh('docker', ['inspect', '--format', '{{.HostConfig.RestartPolicy.Name}}', id])).trim();
    assert.equal(held, 'no', "serve holds the restarts: Docker's policy is off");
    const stopMs = await stopServe(serve);
    assert.ok(stopMs < 10_000, `serve stopped in ${stopMs} ms`);
    serve = undefined;
    const back = (await sh('docker', ['inspect', '--format', '{{.HostConfig.RestartPolicy.Name}}', id])).trim();
    assert.equal(back, 'always', "without serve, Docker's policy heals the pod again");
  });
  it('a container serve restarted is not ready until its readiness probe passes again', async () => {
    serve = await startServe();
    const probed = `${name}-probe`;
    const manifest = join(work, 'probe.yaml');
    manifests.push(manifest);
    // The probe fails once the container was restarted (its file system stays), until the test
    // removes the mark: readiness then can only come from the probe.
    await writeFile(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${probed} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${probed} } }
  template:
    metadata: { labels: { app: ${probed} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: busybox
          command: ['sh', '-c', 'if [ -f /tmp/ran ]; then touch /tmp/restarted; fi; touch /tmp/ran; exec sleep 3600']
          readinessProbe: { exec: { command: ['sh', '-c', '! test -f /tmp/restarted'] }, periodSeconds: 1 }
`,
    );
    await podctlOk(['apply', '-f', manifest, '--wait']);
    const { pod, id } = await appContainer(probed);
    const view = async () => (JSON.parse((await podctlOk(['ps', '-o', 'json', '--filter', `label=app=${probed}`])).stdout) as Array<{ name: string; state: string; awaitingReady?: boolean }>)[0];
    assert.equal((await view())?.awaitingReady, undefined, 'ready after apply --wait');

    const before = (await dockerState(id)).StartedAt;
    await sh('docker', ['kill', id]);
    let state = await dockerState(id);
    for (let i = 0; i < 100 && !(state.Running && state.StartedAt !== before); i++) {
      await sleep(100);
      state = await dockerState(id);
    }
    assert.ok(state.Running && state.StartedAt !== before, 'serve started the killed container again at once (its first end)');
    // serve marks the pod before it starts the container: from here on, not ready.
    const restarted = await view();
    assert.equal(restarted?.name, pod);
    assert.equal(restarted?.state, 'running');
    assert.equal(restarted?.awaitingReady, true, `a restarted container is not ready before its probe passes: ${JSON.stringify(restarted)}`);
    const notYet = await podctl(['wait', '--for=condition=available', `deploy/${probed}`, '--timeout', '3s']);
    assert.equal(notYet.exitCode, 1, `not available while its probe fails: ${notYet.stdout}${notYet.stderr}`);

    // The probe passes again: ready, and available once it ran a second longer than its last run.
    await sh('docker', ['exec', id, 'rm', '/tmp/restarted']);
    const available = await podctl(['wait', '--for=condition=available', `deploy/${probed}`, '--timeout', '60s']);
    assert.equal(available.exitCode, 0, `available once the probe passed: ${available.stdout}${available.stderr}`);
    assert.equal((await view())?.awaitingReady, undefined);
    assert.equal((await dockerState(id)).StartedAt, state.StartedAt, 'the same run throughout');

    const stopMs = await stopServe(serve);
    assert.ok(stopMs < 10_000, `serve stopped in ${stopMs} ms`);
    serve = undefined;
  });
});
