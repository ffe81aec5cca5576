import { afterEach, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { writeManifest } from './harness/kube.js';
import { podctl, podctlOk } from './harness/run.js';

// Status as Kubernetes writes it, on the real engine: the store's uid, resourceVersion and
// generation; a Deployment's counters and conditions (the progress deadline of a crash loop);
// a Job's failure; wait on jsonpath, conditions and deletion, with kubectl's timeout; describe's
// aggregated events. Each test deletes what it applied and ends with the leak checker.
let leaks: LeakChecker;
let work: string;

beforeEach(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-st-'));
});

afterEach(async () => {
  await podctl(['delete', '--ignore-not-found', '-f', work], { timeoutMs: 180_000 });
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

interface Condition { type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string; lastTransitionTime?: string }
interface ObjectJson {
  metadata: { uid?: string; resourceVersion?: string; generation?: number; creationTimestamp?: string; ownerReferences?: Array<{ kind: string; name: string; uid: string }> };
  status?: { observedGeneration?: number; replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; unavailableReplicas?: number; active?: number; failed?: number; succeeded?: number; startTime?: string; completionTime?: string; conditions?: Condition[] };
}
const getJson = async (what: string): Promise<ObjectJson> => JSON.parse((await podctlOk(['get', ...what.split(' '), '-o', 'json'])).stdout) as ObjectJson;
const condition = (o: ObjectJson, type: string) => o.status?.conditions?.find((c) => c.type === type);

const deployment = (name: string, replicas: number, command: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}${extra}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: main, image: busybox, command: [sh, -c, '${command}'] }]
`;

it('a Deployment: uid, growing resourceVersion, generation and observedGeneration, conditions, waits on jsonpath and deletion, aggregated events', { timeout: 300_000 }, async () => {
  const file = await writeManifest(work, 'web', deployment('pct-st-web', 2, 'exec sleep 3600'));
  await podctlOk(['apply', '-f', file]);
  await podctlOk(['wait', `--for=jsonpath={.status.conditions[?(@.type=="Progressing")].reason}=NewReplicaSetAvailable`, 'deployment/pct-st-web', '--timeout', '60s']);
  const first = await getJson('deployment pct-st-web');
  assert.match(first.metadata.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(first.metadata.resourceVersion ?? '', /^\d+$/);
  assert.equal(first.metadata.generation, 1);
  assert.deepEqual([first.status?.observedGeneration, first.status?.replicas, first.status?.updatedReplicas, first.status?.readyReplicas, first.status?.availableReplicas, first.status?.unavailableReplicas], [1, 2, 2, 2, 2, 0]);
  assert.deepEqual([condition(first, 'Available')?.status, condition(first, 'Available')?.reason], ['True', 'MinimumReplicasAvailable']);
  assert.deepEqual([condition(first, 'Progressing')?.status, condition(first, 'Progressing')?.reason], ['True', 'NewReplicaSetAvailable']);
  assert.match(condition(first, 'Progressing')?.message ?? '', /^ReplicaSet "pct-st-web-\w+" has successfully progressed\.$/);

  // The ReplicaSet podctl shows for it names its owner.
  const rs = JSON.parse((await podctlOk(['get', 'replicasets', '-o', 'json'])).stdout) as { items: ObjectJson[] };
  const owned = rs.items.filter((r) => r.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === 'pct-st-web'));
  assert.equal(owned.length, 1);
  assert.equal(owned[0]!.metadata.ownerReferences![0]!.uid, first.metadata.uid);

  // A spec change: generation 2, observedGeneration catches up, resourceVersion grows, uid stays.
  await podctlOk(['scale', 'deployment', 'pct-st-web', '--replicas', '3']);
  await podctlOk(['wait', '--for=jsonpath={.status.observedGeneration}=2', 'deployment/pct-st-web', '--timeout', '30s']);
  await podctlOk(['wait', '--for=jsonpath={.status.readyReplicas}=3', 'deployment/pct-st-web', '--timeout', '60s']);
  const second = await getJson('deployment pct-st-web');
  assert.equal(second.metadata.generation, 2);
  assert.equal(second.metadata.uid, first.metadata.uid);
  assert.equal(second.metadata.creationTimestamp, first.metadata.creationTimestamp);
  assert.ok(Number(second.metadata.resourceVersion) > Number(first.metadata.resourceVersion), `${second.metadata.resourceVersion} after ${first.metadata.resourceVersion}`);

  // A value never reached: exit 1 at the timeout, with kubectl's words.
  const late = await podctl(['wait', '--for=jsonpath={.status.readyReplicas}=9', 'deployment/pct-st-web', '--timeout', '2s']);
  assert.equal(late.exitCode, 1, late.stderr);
  assert.match(late.stderr, /timed out waiting for the condition on deployments\/pct-st-web/);

  // The same scale twice: one event line with its count.
  await podctlOk(['scale', 'deployment', 'pct-st-web', '--replicas', '2']);
  await podctlOk(['scale', 'deployment', 'pct-st-web', '--replicas', '3']);
  await podctlOk(['wait', '--for=condition=Available=True', 'deployment/pct-st-web', '--timeout', '60s']);
  const described = (await podctlOk(['describe', 'deployment', 'pct-st-web'])).stdout;
  assert.match(described, /Normal\s+ScalingReplicaSet\s+\d+s \(x2 over \d+s\)\s+deployment-controller\s+deployment\/pct-st-web: Scaled up replica set pct-st-web-\w+ to 3/, described);
  assert.match(described, /Available\s+True\s+MinimumReplicasAvailable/, described);

  // --for=delete returns once another command has deleted it.
  const waiting = podctl(['wait', '--for=delete', 'deployment/pct-st-web', '--timeout', '60s']);
  await podctlOk(['delete', 'deployment', 'pct-st-web'], { timeoutMs: 120_000 });
  const gone = await waiting;
  assert.equal(gone.exitCode, 0, gone.stderr);
  assert.match(gone.stdout, /^deployment\.apps\/pct-st-web deleted$/m);
});

it('a crash-looping Deployment is not available, and its progress deadline passes: Progressing False, ProgressDeadlineExceeded', { timeout: 300_000 }, async () => {
  const file = await writeManifest(work, 'crash', deployment('pct-st-crash', 1, 'exit 1', '\n  progressDeadlineSeconds: 5'));
  await podctlOk(['apply', '-f', file]);
  const waited = await podctl(['wait', '--for=condition=available', 'deployment/pct-st-crash', '--timeout', '5s']);
  assert.equal(waited.exitCode, 1, waited.stdout);
  assert.match(waited.stderr, /timed out waiting for the condition on deployments\/pct-st-crash: 0 of 1 replicas are available/);
  await podctlOk(['wait', '--for=condition=Progressing=False', 'deployment/pct-st-crash', '--timeout', '60s']);
  const d = await getJson('deployment pct-st-crash');
  const progressing = condition(d, 'Progressing');
  assert.deepEqual([progressing?.status, progressing?.reason], ['False', 'ProgressDeadlineExceeded']);
  assert.match(progressing?.message ?? '', /^ReplicaSet "pct-st-crash-\w+" has timed out progressing\.$/);
  // The deadline counts from the last progress: the condition was last updated 5 s or more after it.
  assert.ok(Date.parse(progressing!.lastUpdateTime!) - Date.parse(d.metadata.creationTimestamp!) >= 5000, JSON.stringify(d.status));
  assert.deepEqual([condition(d, 'Available')?.status, condition(d, 'Available')?.reason], ['False', 'MinimumReplicasUnavailable']);
  assert.equal(d.status?.availableReplicas, 0);
});

it('a Job past its backoffLimit: Failed, BackoffLimitExceeded, with its counts and event', { timeout: 300_000 }, async () => {
  const file = await writeManifest(work, 'job', `apiVersion: batch/v1
kind: Job
metadata: { name: pct-st-job }
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: main, image: busybox, command: [sh, -c, 'exit 2'] }]
`);
  await podctlOk(['apply', '-f', file]);
  await podctlOk(['wait', '--for=condition=failed', 'job/pct-st-job', '--timeout', '60s']);
  const job = await getJson('job pct-st-job');
  assert.deepEqual([job.status?.active, job.status?.succeeded, job.status?.failed], [0, 0, 2]);
  assert.ok(job.status?.startTime);
  assert.equal(job.status?.completionTime, undefined);
  const failed = condition(job, 'Failed');
  assert.deepEqual([failed?.status, failed?.reason, failed?.message], ['True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
  assert.match(job.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
  const described = (await podctlOk(['describe', 'job', 'pct-st-job'])).stdout;
  assert.match(described, /Warning\s+BackoffLimitExceeded\s+\d+s\s+job-controller\s+job\/pct-st-job: Job has reached the specified backoff limit/, described);
  assert.match(described, /Failed\s+True\s+BackoffLimitExceeded/, described);
  // Waiting for a condition the Job will never have again: kubectl's timeout line, exit 1.
  const never = await podctl(['wait', '--for=jsonpath={.status.succeeded}=1', 'job/pct-st-job', '--timeout', '2s']);
  assert.equal(never.exitCode, 1);
  assert.match(never.stderr, /timed out waiting for the condition on jobs\/pct-st-job/);
});
