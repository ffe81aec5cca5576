import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { writeManifest } from './harness/kube.js';
import { eventually, execInPod, podctl, podctlOk, uniqueName } from './harness/run.js';
import { stopServe, type Serve } from './harness/serve.js';
import { kubectlPath, runKubectl, serveWithApi } from './harness/kube-api.js';
import { deploymentYaml } from './harness/manifests.js';

// RESTARTS through serve's API after the counts were read (and remembered: serve inspects a
// container's Docker count again only when its uptime says it may have restarted). Both ways a
// container restarts under serve: Docker's own policy (a Job's OnFailure with its backoffLimit,
// counted by Docker's RestartCount) and serve's kubelet (a Deployment's pod, counted in its
// checkpoint). Each container ends once when told to (a file), then runs on.
const KUBECTL = kubectlPath('1.33');
const ENDS_ONCE = `if [ -e /tmp/restarted ]; then exec sleep 3600; fi; while [ ! -e /tmp/end ]; do sleep 0.1; done; touch /tmp/restarted; exit 1`;

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-restarts-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('RESTARTS through the API after a remembered read', () => {
  const name = uniqueName('pct-rs');
  const job = `${name}-job`;
  let serve: Serve | undefined;
  let kubeconfig: string;
  let deployment: string;
  let jobFile: string;

  const kubectlOk = async (args: string[]) => {
    const r = await runKubectl(KUBECTL, kubeconfig, args, { home: join(work, 'home') });
    assert.equal(r.exitCode, 0, `kubectl ${args.join(' ')}: ${String(r.stderr)}`);
    return String(r.stdout);
  };
  /** The pod of `app=<label>` as `kubectl get pods` shows it: name, STATUS and RESTARTS (the table serve builds). */
  const row = async (label: string) => {
    const lines = (await kubectlOk(['get', 'pods', '-l', `app=${label}`, '--no-headers'])).trim().split('\n');
    assert.equal(lines.length, 1, lines.join('\n'));
    const [pod, , status, restarts] = lines[0]!.trim().split(/\s+/);
    return { pod: pod!, status: status!, restarts: Number(restarts) };
  };
  const restartCount = async (pod: string) =>
    (JSON.parse(await kubectlOk(['get', 'pod', pod, '-o', 'json'])) as { status: { containerStatuses: Array<{ restartCount: number }> } }).status.containerStatuses[0]!.restartCount;

  before(async () => {
    deployment = await writeManifest(
      work,
      'deployment',
      deploymentYaml(name, { container: 'app', image: 'busybox', command: ['sh', '-c', ENDS_ONCE] }),
    );
    jobFile = await writeManifest(
      work,
      'job',
      `apiVersion: batch/v1
kind: Job
metadata: { name: ${job} }
spec:
  backoffLimit: 3
  template:
    metadata: { labels: { app: ${job} } }
    spec:
      restartPolicy: OnFailure
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: busybox
          command: [sh, -c, '${ENDS_ONCE}']
`,
    );
    ({ serve, kubeconfig } = await serveWithApi(work, deployment));
    await podctlOk(['apply', '-f', jobFile]);
  });

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    await podctl(['delete', '-f', jobFile, '--ignore-not-found']);
    await podctl(['delete', '-f', deployment, '--ignore-not-found']);
    await leaks.assertClean();
  });

  for (const [way, label] of [
    ["Docker's restart policy (a Job's OnFailure)", job],
    ["serve's kubelet (a Deployment's pod)", name],
  ] as const) {
    it(`a restart by ${way} shows in RESTARTS and restartCount`, async () => {
      const before = await eventually(async () => {
        const r = await row(label);
        assert.equal(r.status, 'Running');
        return r;
      }, 30_000);
      assert.equal(before.restarts, 0);
      // Read twice while it runs: the second read is answered from what serve remembers.
      assert.equal(await restartCount(before.pod), 0);
      assert.equal((await row(label)).restarts, 0);

      assert.equal((await execInPod(before.pod, ['touch', '/tmp/end'])).exitCode, 0);
      const after = await eventually(async () => {
        const r = await row(label);
        assert.equal(r.restarts, 1, `RESTARTS after the restart: ${JSON.stringify(r)}`);
        assert.equal(r.status, 'Running');
        return r;
      }, 30_000);
      assert.equal(after.pod, before.pod, 'restarted in place');
      assert.equal(await restartCount(after.pod), 1);
    });
  }
});
