import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { eventually, podctl, podctlOk, uniqueName } from './harness/run.js';
import { sleep, startServe, stopServe, type Serve } from './harness/serve.js';
import { deploymentYaml } from './harness/manifests.js';

// Deletion as in Kubernetes, on the real engine with `podctl serve` running beside the
// commands: pods carry owner references (pod → ReplicaSet → Deployment, pod → Job);
// `delete --cascade` background removes the owner and then its pods, foreground keeps the
// owner (deletionTimestamp, the foregroundDeletion finalizer) until its pods are gone, orphan
// keeps the pods (a Deployment's ReplicaSet becomes a record of its own, which the same
// Deployment applied again adopts back, pods and all); a Job removed at its
// activeDeadlineSeconds counts its removed pods as failed.
let work: string;
let leaks: LeakChecker;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-delete-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Meta {
  name: string;
  uid?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
}
interface Obj {
  metadata: Meta;
  status?: Record<string, unknown>;
}

const json = async <T = Obj>(args: string[]): Promise<T> => JSON.parse((await podctlOk([...args, '-o', 'json'])).stdout) as T;
const podsOf = async (app: string): Promise<Obj[]> => (await json<{ items: Obj[] }>(['get', 'pods', '-l', `app=${app}`])).items;

// busybox's sleep as the container's first process ignores SIGTERM: each pod takes its grace period (2 s) to stop.
const deployment = (name: string, replicas: number): string => deploymentYaml(name, { replicas, graceSeconds: 2, container: 'app', image: 'busybox', command: ['sleep', '3600'] });

describe('podctl delete: owner references and propagation', () => {
  let serve: Serve | undefined;
  const manifests: string[] = [];
  const apply = async (name: string, text: string) => {
    const file = join(work, `${name}.yaml`);
    manifests.push(file);
    await writeFile(file, text);
    await podctlOk(['apply', '-f', file, '--wait', '--timeout', '60']);
  };

  before(async () => {
    serve = await startServe();
  });

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    for (const file of manifests) await podctl(['delete', '-f', file, '--ignore-not-found', '--grace-period', '0']);
    await leaks.assertClean();
  });

  it('refuses a bad --cascade or --grace-period in one line, deleting nothing', async () => {
    for (const args of [['--cascade=sideways'], ['--grace-period', 'soon'], ['--grace-period', '-2']]) {
      const r = await podctl(['delete', 'deployment', 'nosuch', ...args]);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  it('background (the default): pods name their ReplicaSet, which names the Deployment; all go with it', async () => {
    const name = uniqueName('pct-bg');
    await apply(name, deployment(name, 2));
    const deploy = await json(['get', 'deployment', name]);
    const pods = await podsOf(name);
    assert.equal(pods.length, 2);
    const owner = pods[0]!.metadata.ownerReferences?.[0];
    assert.equal(owner?.kind, 'ReplicaSet');
    assert.equal(owner?.controller, true);
    const rs = await json(['get', 'replicaset', owner!.name]);
    assert.equal(rs.metadata.uid, owner!.uid, "the pod names its ReplicaSet's uid");
    assert.deepEqual(rs.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid]), [['Deployment', name, deploy.metadata.uid]]);
    // get pod -o yaml shows them too.
    assert.match((await podctlOk(['get', 'pod', pods[0]!.metadata.name, '-o', 'yaml'])).stdout, /ownerReferences:[\s\S]*kind: ReplicaSet/);

    await podctlOk(['delete', 'deployment', name]);
    assert.equal((await podctl(['get', 'deployment', name])).exitCode, 1);
    assert.equal((await podsOf(name)).length, 0);
    assert.equal((await podctl(['get', 'replicaset', owner!.name])).exitCode, 1);
  });

  it('foreground: the Deployment stays, with deletionTimestamp and its finalizer, while its pods terminate, then goes', async () => {
    const name = uniqueName('pct-fg');
    await apply(name, deployment(name, 2));
    const deleting = podctl(['delete', 'deployment', name, '--cascade=foreground']);
    const marked = await eventually(async () => {
      const d = await json(['get', 'deployment', name]);
      assert.ok(d.metadata.deletionTimestamp, 'deletionTimestamp set');
      return d;
    }, 5000);
    assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion']);
    // Its pods are terminating meanwhile (their grace period is 2 s), and none is made again.
    await eventually(async () => {
      const pods = await podsOf(name);
      assert.ok(pods.length <= 2, `no new pod: ${pods.length}`);
      if (pods.length > 0) assert.match((await podctlOk(['get', 'pods', '-l', `app=${name}`])).stdout, /Terminating/);
    }, 5000);
    const r = await deleting;
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal((await podsOf(name)).length, 0);
    assert.equal((await podctl(['get', 'deployment', name])).exitCode, 1, 'gone once its pods are');
  });

  it('orphan: the pods stay, under their ReplicaSet, now a record of its own; deleting that removes them', async () => {
    const name = uniqueName('pct-or');
    await apply(name, deployment(name, 2));
    const before = await podsOf(name);
    const rsName = before[0]!.metadata.ownerReferences![0]!.name;
    const rsUid = before[0]!.metadata.ownerReferences![0]!.uid;
    await podctlOk(['delete', 'deployment', name, '--cascade=orphan']);
    assert.equal((await podctl(['get', 'deployment', name])).exitCode, 1);
    const rs = await json(['get', 'replicaset', rsName]);
    assert.equal(rs.metadata.uid, rsUid);
    assert.equal(rs.metadata.ownerReferences, undefined, 'the ReplicaSet has no owner any more');
    // serve leaves them as they are: no pod deleted, none made.
    await sleep(2000);
    const after = await podsOf(name);
    assert.deepEqual(after.map((p) => p.metadata.name).sort(), before.map((p) => p.metadata.name).sort());
    for (const p of after) assert.equal(p.metadata.ownerReferences?.[0]?.uid, rsUid);
    await podctlOk(['delete', 'replicaset', rsName, '--grace-period', '0']);
    assert.equal((await podsOf(name)).length, 0);
  });

  it('orphan, then the same Deployment again: it adopts the ReplicaSet and its pods (same names and uids, references back, 3 pods not 6)', async (t) => {
    const name = uniqueName('pct-ad');
    await apply(name, deployment(name, 3));
    const before = await podsOf(name);
    assert.equal(before.length, 3);
    const rsName = before[0]!.metadata.ownerReferences![0]!.name;
    // A failed assertion leaves no ReplicaSet record behind (the manifest's delete would not take it).
    t.after(() => podctl(['delete', 'replicaset', rsName, '--ignore-not-found', '--grace-period', '0']));
    await podctlOk(['delete', 'deployment', name, '--cascade=orphan']);
    assert.equal((await json(['get', 'replicaset', rsName])).metadata.ownerReferences, undefined, 'orphaned');
    await apply(name, deployment(name, 3));
    const deploy = await json(['get', 'deployment', name]);
    // The ReplicaSet of the same template is the new Deployment's again, listed once.
    const sets = (await json<{ items: Obj[] }>(['get', 'replicasets', '-l', `app=${name}`])).items;
    assert.deepEqual(sets.map((o) => o.metadata.name), [rsName]);
    assert.deepEqual(sets[0]!.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['Deployment', name, deploy.metadata.uid, true]]);
    // serve's controllers and garbage collector have had their turn: no pod made, none deleted.
    await sleep(2000);
    const after = await podsOf(name);
    const identity = (pods: Obj[]) => pods.map((p) => `${p.metadata.name} ${p.metadata.uid}`).sort();
    assert.deepEqual(identity(after), identity(before));
    for (const p of after) assert.deepEqual(p.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['ReplicaSet', rsName, sets[0]!.metadata.uid, true]]);
    assert.equal((await json<{ status: { replicas: number; readyReplicas: number } }>(['get', 'deployment', name])).status.replicas, 3);
    // It owns them whole: its deletion takes them.
    await podctlOk(['delete', 'deployment', name, '--grace-period', '0']);
    assert.equal((await podsOf(name)).length, 0);
    assert.equal((await podctl(['get', 'replicaset', rsName])).exitCode, 1);
  });

  it('a Job past activeDeadlineSeconds counts the pods it removed as failed', async () => {
    const name = uniqueName('pct-dl');
    const file = join(work, `${name}.yaml`);
    manifests.push(file);
    await writeFile(
      file,
      `apiVersion: batch/v1
kind: Job
metadata: { name: ${name} }
spec:
  parallelism: 2
  completions: 2
  activeDeadlineSeconds: 5
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 0
      containers:
        - name: app
          image: busybox
          command: ['sleep', '3600']
`,
    );
    await podctlOk(['apply', '-f', file]);
    const job = (await podsOf(name)).length; // the Job's pods carry job-name, not app
    assert.equal(job, 0);
    const pods = await json<{ items: Obj[] }>(['get', 'pods', '-l', `job-name=${name}`]);
    assert.equal(pods.items.length, 2);
    assert.equal(pods.items[0]!.metadata.ownerReferences?.[0]?.kind, 'Job');
    await podctlOk(['wait', '--for=condition=failed', `job/${name}`, '--timeout', '30s']);
    const status = (await json(['get', 'job', name])).status as { failed?: number; active?: number; conditions?: Array<{ reason?: string }> };
    assert.equal(status.failed, 2);
    assert.equal(status.active, 0);
    assert.equal(status.conditions?.[0]?.reason, 'DeadlineExceeded');
    await podctlOk(['delete', 'job', name, '--cascade=foreground', '--grace-period', '0']);
  });
});
