import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk, uniqueName } from './harness/run.js';
import { sleep, startServe, stopServe, type Serve } from './harness/serve.js';
import { freePort, kubectlPath, runKubectl } from './harness/kube-api.js';

// Server-side apply through `podctl serve` with the oldest and the newest kubectl installed:
// `apply --server-side` creates and re-applies, managedFields say who owns what, a field
// another manager (`kubectl scale`) changed is a conflict until forced, a field left out of
// the file leaves the object, and serve's controllers run the Deployment's pods.
const KUBECTLS = ['1.27', '1.33'];

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-ssa-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

type Deployment = {
  metadata: { labels?: Record<string, string>; resourceVersion: string; generation: number; managedFields?: Array<{ manager: string; operation: string; subresource?: string; fieldsType: string; fieldsV1: Record<string, unknown> }> };
  spec: { replicas: number; template: { spec: { containers: Array<{ image: string; env?: Array<{ name: string; value: string }> }> } } };
};

describe('kubectl apply --server-side through podctl serve', () => {
  let serve: Serve | undefined;
  let kubeconfig: string;
  const files: string[] = [];

  before(async () => {
    const port = await freePort();
    serve = await startServe(['--listen', `127.0.0.1:${port}`]);
    kubeconfig = join(work, 'kubeconfig');
    await writeFile(kubeconfig, (await podctlOk(['kubeconfig'])).stdout);
  });

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    // Whatever a failed test left: removed with podctl itself (which removes the managedFields beside each object too).
    for (const f of files) await podctl(['delete', '-f', f, '--ignore-not-found']);
    await leaks.assertClean();
  });

  for (const v of KUBECTLS) {
    describe(`kubectl ${v}`, () => {
      const app = uniqueName(`pct-ssa${v.replace('.', '')}`);
      // `work` is made in before(): the paths are taken when a test runs.
      const file = () => join(work, `${app}.yaml`);
      const kubectl = (args: string[]) => runKubectl(kubectlPath(v), kubeconfig, args, { home: join(work, `home-${v}`) });
      const kubectlOk = async (args: string[]) => {
        const r = await kubectl(args);
        assert.equal(r.exitCode, 0, `kubectl.${v} ${args.join(' ')}: ${String(r.stderr)}`);
        return String(r.stdout);
      };
      const deployment = async () => JSON.parse(await kubectlOk(['get', 'deployment', app, '-o', 'json', '--show-managed-fields'])) as Deployment;
      const manifest = (opts: { replicas: number; env: string; labels: string; image?: string }) => `apiVersion: v1
kind: ConfigMap
metadata: { name: ${app} }
data: { a: "1" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${app}, labels: { ${opts.labels} } }
spec:
  replicas: ${opts.replicas}
  selector: { matchLabels: { app: ${app} } }
  template:
    metadata: { labels: { app: ${app} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: ${opts.image ?? 'nginx'}
          env: [${opts.env}]
---
apiVersion: v1
kind: Service
metadata: { name: ${app} }
spec:
  selector: { app: ${app} }
  ports: [{ port: 80 }]
`;
      const first = { replicas: 1, env: '{ name: A, value: "1" }, { name: B, value: "2" }', labels: `app: ${app}, tier: front` };
      const applied = (how: string) => [`configmap/${app} ${how}`, `deployment.apps/${app} ${how}`, `service/${app} ${how}`];
      const applyServerSide = async (text: string, extra: string[] = []) => {
        await writeFile(file(), text);
        return kubectl(['apply', '--server-side', '-f', file(), ...extra]);
      };
      const lines = (out: unknown) => String(out).trim().split('\n').sort();

      it('apply --server-side creates; again it changes nothing; managedFields name kubectl and its fields; the pods run', async () => {
        files.push(file());
        const created = await applyServerSide(manifest(first));
        assert.equal(created.exitCode, 0, String(created.stderr));
        assert.deepEqual(lines(created.stdout), applied('serverside-applied'));
        const before = await deployment();
        const cm = JSON.parse(await kubectlOk(['get', 'configmap', app, '-o', 'json'])) as { metadata: { resourceVersion: string } };

        const again = await applyServerSide(manifest(first));
        assert.equal(again.exitCode, 0, String(again.stderr));
        assert.deepEqual(lines(again.stdout), applied('serverside-applied'));
        // The object as written is the same (its resourceVersion moves with the status serve's controllers write while the pods come up).
        const after = await deployment();
        const written = (d: Deployment) => ({ generation: d.metadata.generation, labels: d.metadata.labels, spec: d.spec, managedFields: d.metadata.managedFields });
        assert.deepEqual(written(after), written(before), 'the same apply again changes nothing');
        assert.equal((JSON.parse(await kubectlOk(['get', 'configmap', app, '-o', 'json'])) as typeof cm).metadata.resourceVersion, cm.metadata.resourceVersion);

        const entries = after.metadata.managedFields ?? [];
        assert.deepEqual(entries.map((e) => [e.manager, e.operation, e.fieldsType]), [['kubectl', 'Apply', 'FieldsV1']]);
        const spec = entries[0]!.fieldsV1['f:spec'] as Record<string, Record<string, unknown>>;
        assert.deepEqual(spec['f:replicas'], {});
        const containers = ((spec['f:template']!['f:spec'] as Record<string, unknown>)['f:containers']) as Record<string, Record<string, unknown>>;
        assert.deepEqual(Object.keys(containers['k:{"name":"web"}']!['f:env'] as object).sort(), ['k:{"name":"A"}', 'k:{"name":"B"}']);
        // Without the flag kubectl hides them itself: the server serves them either way.
        assert.doesNotMatch(await kubectlOk(['get', 'deployment', app, '-o', 'yaml']), /managedFields/);

        for (let i = 0; ; i++) {
          const r = await podctl(['get', 'pods', '-l', `app=${app}`, '-o', 'json']);
          const phases = r.exitCode === 0 ? (JSON.parse(r.stdout) as { items: Array<{ status: { phase: string } }> }).items.map((p) => p.status.phase) : [];
          if (phases.includes('Running')) break;
          if (i >= 120) assert.fail(`no running pod of ${app} in 60 s: ${phases.join(',')}`);
          await sleep(500);
        }
      });

      it('a field kubectl scale changed is a conflict naming the field and the manager; --force-conflicts takes it', async () => {
        await kubectlOk(['scale', 'deployment', app, '--replicas=2']);
        const scaled = await deployment();
        const scaler = scaled.metadata.managedFields!.find((e) => e.operation === 'Update')!;
        assert.equal(scaler.subresource, 'scale');
        assert.deepEqual(scaler.fieldsV1, { 'f:spec': { 'f:replicas': {} } });

        const refused = await applyServerSide(manifest(first));
        assert.notEqual(refused.exitCode, 0);
        assert.match(String(refused.stderr), new RegExp(`Apply failed with 1 conflict: conflict with "${scaler.manager}" with subresource "scale" using apps/v1: \\.spec\\.replicas`));
        assert.equal((await deployment()).spec.replicas, 2, 'a refused apply changes nothing');

        const forced = await applyServerSide(manifest(first), ['--force-conflicts']);
        assert.equal(forced.exitCode, 0, String(forced.stderr));
        const taken = await deployment();
        assert.equal(taken.spec.replicas, 1);
        assert.deepEqual(taken.metadata.managedFields!.map((e) => [e.manager, e.operation]), [['kubectl', 'Apply']], 'the scaler owned nothing else: its entry is gone');
      });

      it('a field left out of the file leaves the object; --dry-run=server changes nothing', async () => {
        const fewer = { ...first, env: '{ name: A, value: "1" }', labels: `app: ${app}` };
        const r = await applyServerSide(manifest(fewer));
        assert.equal(r.exitCode, 0, String(r.stderr));
        const d = await deployment();
        assert.deepEqual(d.spec.template.spec.containers[0]!.env, [{ name: 'A', value: '1' }]);
        assert.deepEqual(d.metadata.labels, { app });

        const dry = await applyServerSide(manifest({ ...fewer, image: 'busybox' }), ['--dry-run=server']);
        assert.equal(dry.exitCode, 0, String(dry.stderr));
        assert.match(String(dry.stdout), new RegExp(`deployment.apps/${app} serverside-applied \\(server dry run\\)`));
        const after = await deployment();
        assert.equal(after.spec.template.spec.containers[0]!.image, 'nginx');
        assert.equal(after.metadata.generation, d.metadata.generation);
        assert.deepEqual(after.metadata.managedFields, d.metadata.managedFields, 'a dry run stores no ownership either');
      });

      it('delete -f removes the objects (and the managedFields kept beside them: the leak checker looks)', async () => {
        await kubectlOk(['delete', '-f', file(), '--wait=false']);
        for (const kind of ['deployment', 'configmap', 'service']) assert.equal((await kubectl(['get', kind, app])).exitCode, 1);
      });
    });
  }
});
