import { afterEach, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk } from './harness/run.js';

// A StatefulSet with its headless Service on the real engine: stable names made in order, and
// each pod's own DNS name (web-0.<svc>.<ns>.svc.cluster.local) resolving in the pods.
let leaks: LeakChecker;
let work: string;
let file: string;

beforeEach(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-sts-'));
  file = join(work, 'sts.yaml');
});

afterEach(async () => {
  await podctl(['delete', '--ignore-not-found', '-f', file]);
  await podctl(['delete', 'pvc', '--ignore-not-found', 'data-pct-sts-0', 'data-pct-sts-1']);
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

const MANIFEST = `
apiVersion: v1
kind: Service
metadata: { name: pct-sts }
spec:
  clusterIP: None
  selector: { app: pct-sts }
  ports: [{ port: 80 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: pct-sts }
spec:
  serviceName: pct-sts
  replicas: 2
  selector: { matchLabels: { app: pct-sts } }
  template:
    metadata: { labels: { app: pct-sts } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: busybox
          command: [sleep, '3600']
          readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 }
`;

const ipOf = async (pod: string) => ((JSON.parse((await podctlOk(['get', 'pod', pod, '-o', 'json'])).stdout) as { status: { podIP: string } }).status.podIP);

it('makes web-0 then web-1, names them in DNS through the headless service, and scales down from the top', async () => {
  await writeFile(file, MANIFEST);
  const applied = (await podctlOk(['apply', '-f', file])).stdout;
  assert.ok(applied.indexOf('pod/pct-sts-0 created') >= 0 && applied.indexOf('pod/pct-sts-0 created') < applied.indexOf('pod/pct-sts-1 created'), applied);
  assert.match((await podctlOk(['get', 'sts', 'pct-sts'])).stdout, /pct-sts\s+2\/2/);
  assert.equal((await podctlOk(['get', 'pods', '-l', 'app=pct-sts', '-o', 'name'])).stdout.trim().split('\n').sort().join(' '), 'pod/pct-sts-0 pod/pct-sts-1');

  const ip1 = await ipOf('pct-sts-1');
  const r = (await podctlOk(['exec', 'pct-sts-0', '--', 'sh', '-c', 'hostname; ping -c 1 -W 1 pct-sts-1.pct-sts.default.svc.cluster.local | head -n 1; ping -c 1 -W 1 pct-sts-1.pct-sts | head -n 1'])).stdout;
  const [hostname, fqdn, short] = r.trim().split('\n');
  assert.equal(hostname, 'pct-sts-0');
  assert.match(fqdn!, new RegExp(`\\(${ip1.replace(/\./g, '\\.')}\\)`), r);
  assert.match(short!, new RegExp(`\\(${ip1.replace(/\./g, '\\.')}\\)`), r);

  // An unchanged re-apply does nothing; scaling down removes the highest ordinal, and its name.
  assert.doesNotMatch((await podctlOk(['apply', '-f', file])).stdout, /pod\/pct-sts-\d created/);
  await podctlOk(['scale', 'sts', 'pct-sts', '--replicas', '1']);
  assert.equal((await podctlOk(['get', 'pods', '-l', 'app=pct-sts', '-o', 'name'])).stdout.trim(), 'pod/pct-sts-0');
  // Its own name is the kubelet's line of its hosts file; the other pods' names are the cluster DNS's.
  const hosts = (await podctlOk(['exec', 'pct-sts-0', '--', 'cat', '/etc/hosts'])).stdout;
  assert.match(hosts, /\tpct-sts-0\.pct-sts\.default\.svc\.cluster\.local\tpct-sts-0$/m);
  const gone = await podctl(['exec', 'pct-sts-0', '--', 'nslookup', 'pct-sts-1.pct-sts.default.svc.cluster.local']);
  assert.match(gone.stdout + gone.stderr, /NXDOMAIN/);
});

const WITH_CLAIMS = (policy = '') => `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: pct-sts }
spec:
  serviceName: pct-sts
  replicas: 2
  selector: { matchLabels: { app: pct-sts } }
${policy}
  volumeClaimTemplates:
    - metadata: { name: data, labels: { tier: db } }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
  template:
    metadata: { labels: { app: pct-sts } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: busybox
          command: [sleep, '3600']
          volumeMounts: [{ name: data, mountPath: /data }]
          readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 }
`;

const claims = async () => (await podctlOk(['get', 'pvc', '-o', 'name'])).stdout.trim().split('\n').filter((l) => l.includes('pct-sts')).sort().join(' ');
const volumes = async () => (await execa('docker', ['volume', 'ls', '-q', '--filter', 'label=io.podctl.pvc'])).stdout.split('\n').filter((l) => l.includes('pct-sts')).sort().join(' ');

it('gives each pod its own claim from volumeClaimTemplates, kept across pod deletion, scale-down and delete statefulset', async () => {
  await writeFile(file, WITH_CLAIMS());
  const applied = (await podctlOk(['apply', '-f', file])).stdout;
  assert.ok(applied.indexOf('persistentvolumeclaim/data-pct-sts-0 created') >= 0 && applied.indexOf('persistentvolumeclaim/data-pct-sts-0 created') < applied.indexOf('pod/pct-sts-0 created'), applied);
  assert.equal(await claims(), 'persistentvolumeclaim/data-pct-sts-0 persistentvolumeclaim/data-pct-sts-1');
  assert.equal(await volumes(), 'podctl-pvc-default-data-pct-sts-0 podctl-pvc-default-data-pct-sts-1');
  assert.match((await podctlOk(['get', 'pvc', '-l', 'tier=db,app=pct-sts'])).stdout, /data-pct-sts-0\s+Bound\s+podctl-pvc-default-data-pct-sts-0\s+ReadWriteOnce/);
  await podctlOk(['exec', 'pct-sts-0', '--', 'sh', '-c', 'echo zero > /data/who']);
  await podctlOk(['exec', 'pct-sts-1', '--', 'sh', '-c', 'echo one > /data/who']);

  // A deleted pod comes back (on the next apply) with the same claim; so does a scaled-away one.
  await podctlOk(['delete', 'pod', 'pct-sts-0']);
  assert.match((await podctlOk(['apply', '-f', file])).stdout, /pod\/pct-sts-0 created/);
  assert.equal((await podctlOk(['exec', 'pct-sts-0', '--', 'cat', '/data/who'])).stdout.trim(), 'zero');
  await podctlOk(['scale', 'sts', 'pct-sts', '--replicas', '1']);
  assert.equal(await claims(), 'persistentvolumeclaim/data-pct-sts-0 persistentvolumeclaim/data-pct-sts-1', 'scale-down keeps the claim (whenScaled: Retain)');
  await podctlOk(['scale', 'sts', 'pct-sts', '--replicas', '2']);
  assert.equal((await podctlOk(['exec', 'pct-sts-1', '--', 'cat', '/data/who'])).stdout.trim(), 'one');

  // The templates are immutable, as in Kubernetes.
  await writeFile(file, WITH_CLAIMS().replace('storage: 1Gi', 'storage: 2Gi'));
  assert.match((await podctl(['apply', '-f', file])).stderr, /spec\.volumeClaimTemplates: field is immutable/);

  // A claim in use is not deleted; delete statefulset leaves the claims (whenDeleted: Retain).
  assert.match((await podctl(['delete', 'pvc', 'data-pct-sts-0'])).stderr, /in use by pod pct-sts-0/);
  await podctlOk(['delete', 'statefulset', 'pct-sts']);
  assert.equal(await claims(), 'persistentvolumeclaim/data-pct-sts-0 persistentvolumeclaim/data-pct-sts-1');
  await podctlOk(['delete', 'pvc', 'data-pct-sts-0', 'data-pct-sts-1']);
  assert.equal(await claims(), '');
  assert.equal(await volumes(), '');
});

it('persistentVolumeClaimRetentionPolicy Delete: scale-down and delete statefulset remove the claims', async () => {
  await writeFile(file, WITH_CLAIMS('  persistentVolumeClaimRetentionPolicy: { whenDeleted: Delete, whenScaled: Delete }'));
  await podctlOk(['apply', '-f', file]);
  await podctlOk(['scale', 'sts', 'pct-sts', '--replicas', '1']);
  assert.equal(await claims(), 'persistentvolumeclaim/data-pct-sts-0');
  assert.equal(await volumes(), 'podctl-pvc-default-data-pct-sts-0');
  await podctlOk(['delete', 'statefulset', 'pct-sts']);
  assert.equal(await claims(), '');
  assert.equal(await volumes(), '');
});

it('refuses a pod volume named as a claim template, changing nothing', async () => {
  await writeFile(file, WITH_CLAIMS().replace('      containers:', '      volumes: [{ name: data, emptyDir: {} }]\n      containers:'));
  const r = await podctl(['apply', '-f', file]);
  assert.notEqual(r.exitCode, 0);
  assert.match(r.stderr, /spec\.volumeClaimTemplates\[0\]\.metadata\.name: "data" is also a volume of spec\.template\.spec\.volumes/);
  assert.equal(await claims(), '');
  assert.equal((await podctl(['get', 'sts', 'pct-sts'])).exitCode === 0, false);
});
