import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk, uniqueName } from './harness/run.js';

// What users bring, on the real engine: podctl's own `get -o yaml|json` of every kind it runs
// applies again unchanged after the objects are deleted (the README promises it), and the
// names `-o name` prints are arguments every verb takes, in kubectl's forms.
const id = uniqueName('rt');
const names = {
  ns: `${id}-ns`,
  cm: `${id}-cm`,
  secret: `${id}-secret`,
  pvc: `${id}-pvc`,
  svc: `${id}-svc`,
  deploy: `${id}-deploy`,
  rs: `${id}-rs`,
  ds: `${id}-ds`,
  sts: `${id}-sts`,
  job: `${id}-job`,
  pod: `${id}-pod`,
};
let work: string;
let leaks: LeakChecker;

const template = (app: string, restart = 'Always') => `
    metadata: { labels: { app: ${app} } }
    spec:
      terminationGracePeriodSeconds: 1
      restartPolicy: ${restart}
      containers:
        - name: main
          image: busybox:latest
          command: [sh, -c, ${restart === 'Never' ? '"echo done"' : '"exec sleep 3600"'}]`;

const manifest = `apiVersion: v1
kind: Namespace
metadata: { name: ${names.ns} }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: ${names.cm} }
data: { greeting: hello }
---
apiVersion: v1
kind: Secret
metadata: { name: ${names.secret} }
stringData: { password: s3cret }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: ${names.pvc} }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Mi } } }
---
apiVersion: v1
kind: Service
metadata: { name: ${names.svc} }
spec: { selector: { app: ${names.deploy} }, ports: [{ port: 80, targetPort: 8080 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${names.deploy} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${names.deploy} } }
  template:${template(names.deploy)}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: ${names.rs} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${names.rs} } }
  template:${template(names.rs)}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${names.ds} }
spec:
  selector: { matchLabels: { app: ${names.ds} } }
  template:${template(names.ds)}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: ${names.sts} }
spec:
  replicas: 1
  serviceName: ${names.svc}
  selector: { matchLabels: { app: ${names.sts} } }
  template:${template(names.sts)}
---
apiVersion: batch/v1
kind: Job
metadata: { name: ${names.job} }
spec:
  template:${template(names.job, 'Never')}
`;

/** Every object as `-o name` prints it, in the order they are exported. */
const refs = [
  `namespace/${names.ns}`,
  `configmap/${names.cm}`,
  `secret/${names.secret}`,
  `persistentvolumeclaim/${names.pvc}`,
  `service/${names.svc}`,
  `deployment.apps/${names.deploy}`,
  `replicaset.apps/${names.rs}`,
  `daemonset.apps/${names.ds}`,
  `statefulset.apps/${names.sts}`,
  `job.batch/${names.job}`,
  `pod/${names.pod}`,
];

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-rt-'));
});

after(async () => {
  await podctl(['delete', '--ignore-not-found', ...refs]);
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

describe("podctl's own exports apply as they are", () => {
  it('get -o yaml|json of every kind, deleted, applies again unchanged', async () => {
    await writeFile(join(work, 'app.yaml'), manifest);
    await podctlOk(['apply', '-f', join(work, 'app.yaml')]);
    await podctlOk(['run', '--image', 'busybox', '--name', names.pod, '--label', `app=${names.pod}`, '--stop-timeout', '1', '--', 'sleep', '3600']);
    await podctlOk(['wait', '--for=condition=complete', `job.batch/${names.job}`, '--timeout', '60s']);

    // Each object exported by the name `-o name` gives it, half as YAML and half as JSON.
    const listed = (await podctlOk(['get', 'deploy,rs,ds,sts,jobs,cm,secrets,pvc,svc', '-o', 'name'])).stdout.split('\n');
    for (const ref of refs.filter((r) => !r.startsWith('namespace/') && !r.startsWith('pod/'))) assert.ok(listed.includes(ref), `get -o name lists ${ref}: ${listed.join(' ')}`);
    const exports = join(work, 'exports');
    await mkdir(exports);
    for (const [i, ref] of refs.entries()) {
      const format = i % 2 === 0 ? 'yaml' : 'json';
      const got = await podctlOk(['get', ref, '-o', format]);
      await writeFile(join(exports, `${String(i).padStart(2, '0')}.${format}`), got.stdout);
    }

    // Deleted by the names -o name printed, all in one command.
    await podctlOk(['delete', ...refs.filter((r) => !r.startsWith('namespace/')), '--grace-period', '1']);
    const gone = await podctl(['get', `deployment.apps/${names.deploy}`]);
    assert.notEqual(gone.exitCode, 0);

    const applied = await podctlOk(['apply', '-f', exports]);
    for (const ref of refs) assert.match(applied.stdout, new RegExp(`^${ref.replace(/[.]/g, '\\.')} (created|unchanged)$`, 'm'), `apply of the exports: ${applied.stdout}${applied.stderr}`);
    // The namespace was not deleted, so it is unchanged; everything else is new.
    assert.match(applied.stdout, new RegExp(`^pod/${names.pod} created$`, 'm'));
    assert.match(applied.stdout, new RegExp(`^deployment\\.apps/${names.deploy} created$`, 'm'));
    const pod = JSON.parse((await podctlOk(['get', `pod/${names.pod}`, '-o', 'json'])).stdout) as { status: { phase: string }; metadata: { labels: Record<string, string> } };
    assert.equal(pod.status.phase, 'Running');
    assert.equal(pod.metadata.labels.app, names.pod);
    const deploy = JSON.parse((await podctlOk(['get', 'deployment', names.deploy, '-o', 'json'])).stdout) as { status: { readyReplicas: number } };
    assert.equal(deploy.status.readyReplicas, 1);
  });

  // On the objects the test above applied again.
  it("kubectl's argument forms: TYPE NAME, TYPE/NAME, TYPE1,TYPE2 NAME for get, describe, scale, rollout", async () => {
    assert.equal((await podctlOk(['get', `pod/${names.pod}`, `deployment.apps/${names.deploy}`, '-o', 'name'])).stdout.trim(), `pod/${names.pod}\ndeployment.apps/${names.deploy}`);
    const both = (await podctlOk(['get', 'configmap,secret', '-o', 'name'])).stdout.split('\n');
    assert.ok(both.includes(`configmap/${names.cm}`) && both.includes(`secret/${names.secret}`), both.join(' '));
    assert.match((await podctlOk(['describe', `deployment.apps/${names.deploy}`])).stdout, new RegExp(`Name: +${names.deploy}`));
    await podctlOk(['scale', '--replicas', '1', `deploy/${names.deploy}`, `rs/${names.rs}`]);
    assert.match((await podctlOk(['rollout', 'status', 'deployment', names.deploy])).stdout, /successfully rolled out/);
    const mixed = await podctl(['get', 'pod', `pod/${names.pod}`]);
    assert.equal(mixed.exitCode, 2);
    assert.match(mixed.stderr, /no need to specify a resource type as a separate argument/);
  });
});
