import { afterEach, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk } from './harness/run.js';

// describe's events, kube generate of a Deployment and logs across a workload's pods, on the
// real engine: one small Deployment applied, scaled, regenerated, re-applied, deleted.
let leaks: LeakChecker;
let work: string;

beforeEach(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-ev-'));
});

afterEach(async () => {
  await podctl(['delete', 'deployment', 'pct-ev', 'pct-ev-copy', '--ignore-not-found']);
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: pct-ev, labels: { app: pct-ev } }
spec:
  replicas: 2
  selector: { matchLabels: { app: pct-ev } }
  template:
    metadata: { labels: { app: pct-ev } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - { name: main, image: busybox, command: [sh, -c, 'echo hello from $(hostname); exec sleep 3600'] }
`;

it('describe lists what the controller and the containers did; generate gives back an appliable Deployment; logs --all-pods prefixes each pod', async () => {
  const file = join(work, 'd.yaml');
  await writeFile(file, DEPLOYMENT);
  await podctlOk(['apply', '-f', file]);
  await podctlOk(['scale', 'deployment', 'pct-ev', '--replicas', '1']);

  const described = (await podctlOk(['describe', 'deployment', 'pct-ev'])).stdout;
  const events = described.slice(described.indexOf('Events:'));
  assert.match(events, /Normal\s+ScalingReplicaSet\s+\d+s\s+deployment-controller\s+deployment\/pct-ev: Scaled up replica set pct-ev-\w+ to 2/, described);
  assert.equal((events.match(/SuccessfulCreate/g) ?? []).length, 2, described);
  assert.match(events, /Scaled down replica set pct-ev-\w+ to 1/, described);
  assert.match(events, /SuccessfulDelete .*Killed and deleted pod: pct-ev-/, described);
  assert.match(events, /Normal\s+Created\s+\d+s\s+kubelet\s+pod\/pct-ev-\w+-\w+: Created container main \(busybox\)/, described);
  assert.match(events, /Normal\s+Started\s+<unknown>\s+kubelet/, described);

  const pod = (await podctlOk(['get', 'pods', '-l', 'app=pct-ev', '-o', 'name'])).stdout.trim().replace(/^pod\//, '');
  const logs = (await podctlOk(['logs', 'deploy/pct-ev', '--all-pods'])).stdout;
  assert.equal(logs, `[pod/${pod}/main] hello from ${pod}`);
  assert.equal((await podctlOk(['logs', pod, '--prefix'])).stdout, logs);

  // From the record: as applied. From the pod: a new Deployment of one replica, which applies.
  const fromRecord = (await podctlOk(['kube', 'generate', 'deployment', 'pct-ev'])).stdout;
  assert.match(fromRecord, /^apiVersion: apps\/v1\nkind: Deployment\n/);
  assert.match(fromRecord, /replicas: 1/);
  assert.doesNotMatch(fromRecord, /status|generation|creationTimestamp/);
  const fromPod = await podctlOk(['kube', 'generate', 'deployment', pod]);
  const copy = join(work, 'copy.yaml');
  await writeFile(copy, fromPod.stdout.replace(`name: ${pod}`, 'name: pct-ev-copy').replaceAll('app: pct-ev', 'app: pct-ev-copy'));
  assert.match((await podctlOk(['apply', '-f', copy])).stdout, /deployment\.apps\/pct-ev-copy created/);
  assert.match((await podctlOk(['get', 'deploy', 'pct-ev-copy'])).stdout, /pct-ev-copy\s+1\/1/);

  // Deleting the Deployment takes its events with it.
  await podctlOk(['delete', 'deployment', 'pct-ev']);
  await podctlOk(['apply', '-f', file]);
  const again = (await podctlOk(['describe', 'deployment', 'pct-ev'])).stdout;
  assert.doesNotMatch(again, /Scaled down/);
});
