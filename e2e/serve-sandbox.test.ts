import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { eventually, execInPod, inspectPod, podctl, podctlOk, sh, uniqueName } from './harness/run.js';
import { startServe, stopServe, type Serve } from './harness/serve.js';

// The kubelet's new sandbox under `podctl serve`, on the real engine: a bare pod (no
// controller owns it) whose pause container is removed (`docker rm -f`) or killed gets a new
// pause, a new CNI ADD (the old attachment released first) and its app containers made again,
// each restart counted; it is Running again under the same name, and its network works.
let work: string;
let leaks: LeakChecker;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-sandbox-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

interface PodJson {
  status: { phase?: string; podIP?: string; containerStatuses?: Array<{ name: string; restartCount: number; ready: boolean }> };
}

describe('podctl serve: a bare pod whose pause died', () => {
  const name = uniqueName('pct-bare');
  let serve: Serve | undefined;
  const manifest = () => join(work, 'pod.yaml');

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    await podctl(['delete', '-f', manifest(), '--ignore-not-found', '--grace-period', '0']);
    await leaks.assertClean();
  });

  it('gets a new sandbox after docker rm -f and after docker kill of its pause, with its restarts counted', async () => {
    serve = await startServe();
    await writeFile(
      manifest(),
      `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: app
      image: busybox
      command: ['sh', '-c', 'sleep 3600']
`,
    );
    await podctlOk(['apply', '-f', manifest()]);
    const first = await inspectPod(name);
    assert.equal(first.state, 'running');

    // Removed: nothing is left of the sandbox but the pinned namespace and the CNI cache.
    await sh('docker', ['rm', '-f', first.pause.id]);
    const second = await eventually(async () => {
      const p = await inspectPod(name);
      assert.equal(p.state, 'running');
      assert.notEqual(p.pause.id, first.pause.id);
      return p;
    }, 15_000);
    assert.ok(second.ips[0], 'a new address from CNI ADD');
    assert.notEqual(second.containers[0]!.id, first.containers[0]!.id, 'the app container was made again');
    // The pod's network works: its own address is on eth0.
    const addr = await execInPod(name, ['ip', '-o', 'addr', 'show', 'eth0']);
    assert.equal(addr.exitCode, 0, addr.stderr);
    assert.ok(addr.stdout.includes(second.ips[0]!.split('/')[0]!), addr.stdout);
    let pod = JSON.parse((await podctlOk(['get', 'pod', name, '-o', 'json'])).stdout) as PodJson;
    assert.equal(pod.status.phase, 'Running');
    assert.equal(pod.status.containerStatuses?.[0]?.restartCount, 1);

    // Killed: the pause container is still there, stopped.
    await sh('docker', ['kill', second.pause.id]);
    const third = await eventually(async () => {
      const p = await inspectPod(name);
      assert.equal(p.state, 'running');
      assert.notEqual(p.pause.id, second.pause.id);
      return p;
    }, 15_000);
    assert.ok(third.ips[0]);
    pod = JSON.parse((await podctlOk(['get', 'pod', name, '-o', 'json'])).stdout) as PodJson;
    assert.equal(pod.status.containerStatuses?.[0]?.restartCount, 2);
    // One pause and one app container: the old ones are gone.
    const containers = (await sh('docker', ['ps', '-a', '--filter', `label=io.podctl.pod=${name}`, '--format', '{{.ID}}'])).trim().split('\n');
    assert.equal(containers.length, 2, containers.join(' '));
    assert.match(serve.stderr(), /its sandbox was gone; made a new one/);
  });

  it('a container its liveness probe restarted is not ready until its readiness probe passes again', async () => {
    const probed = `${name}-lv`;
    const file = join(work, 'probed.yaml');
    await writeFile(
      file,
      `apiVersion: v1
kind: Pod
metadata: { name: ${probed} }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: busybox
      command: ['sh', '-c', 'rm -f /tmp/ready /tmp/sick; exec sleep 3600']
      livenessProbe: { exec: { command: ['sh', '-c', '! test -f /tmp/sick'] }, periodSeconds: 1, failureThreshold: 1 }
      readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 }
`,
    );
    const status = async () => ((JSON.parse((await podctlOk(['get', 'pod', probed, '-o', 'json'])).stdout) as PodJson).status.containerStatuses ?? [])[0];
    try {
      await podctlOk(['apply', '-f', file]);
      assert.equal((await execInPod(probed, ['touch', '/tmp/ready'])).exitCode, 0);
      await eventually(async () => assert.equal((await status())?.ready, true), 10_000);
      // Unhealthy: restarted by the liveness probe; its start removed /tmp/ready.
      assert.equal((await execInPod(probed, ['touch', '/tmp/sick'])).exitCode, 0);
      const restarted = await eventually(async () => {
        const c = await status();
        assert.equal(c?.restartCount, 1);
        assert.equal(c?.ready, false, 'not ready after the restart');
        // Started again: its command removed /tmp/sick (and /tmp/ready).
        assert.notEqual((await execInPod(probed, ['test', '-f', '/tmp/sick'])).exitCode, 0);
        return c;
      }, 20_000);
      assert.ok(restarted);
      assert.equal((await execInPod(probed, ['touch', '/tmp/ready'])).exitCode, 0);
      await eventually(async () => assert.equal((await status())?.ready, true, 'ready once its probe passes'), 15_000);
    } finally {
      await podctl(['delete', '-f', file, '--ignore-not-found', '--grace-period', '0']);
    }
  });
});
