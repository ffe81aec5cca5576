import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { podsWith, writeManifest } from './harness/kube.js';
import { execa } from 'execa';
import { fetchText, podctl, podctlOk } from './harness/run.js';

// Deployments, Jobs, ConfigMaps, Secrets, claims and every volume type through `podctl apply`
// on the real engine and plugins (the shipped default network). Each test deletes what it
// applied and ends with the leak checker (pods, mounts, records, Docker volumes).
let leaks: LeakChecker;
let work: string;
const cleanup: string[] = [];

beforeEach(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-wl-'));
});

afterEach(async () => {
  for (const file of cleanup.splice(0).reverse()) await podctl(['delete', '--ignore-not-found', '--force', '-f', file]);
  await rm(work, { recursive: true, force: true });
  await leaks.assertClean();
});

const manifest = (name: string, text: string) => writeManifest(work, name, text);

const lines = (text: string) => text.trim().split('\n');

const APP = (greeting: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: pct-wl-web }
spec:
  replicas: 2
  selector: { matchLabels: { app: pct-wl-web } }
  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: pct-wl-web } }
    spec:
      terminationGracePeriodSeconds: 1
      volumes: [{ name: html, configMap: { name: pct-wl-html } }]
      containers:
        - name: web
          image: busybox
          command: [sh, -c, 'echo "$GREETING" > /tmp/greeting; exec httpd -f -p 8080 -h /www']
          env:
            - { name: DB_PASSWORD, valueFrom: { secretKeyRef: { name: pct-wl-db, key: password } } }
            - { name: GREETING, value: "${greeting} from $(POD_NAME)" }
            - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
          volumeMounts: [{ name: html, mountPath: /www }]
          readinessProbe: { httpGet: { path: /index.html, port: 8080 }, periodSeconds: 1 }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: pct-wl-front }
spec:
  replicas: 1
  selector: { matchLabels: { app: pct-wl-front } }
  template:
    metadata: { labels: { app: pct-wl-front } }
    spec:
      terminationGracePeriodSeconds: 1
      volumes: [{ name: conf, configMap: { name: pct-wl-front, items: [{ key: app.conf, path: front/app.conf }] } }]
      containers:
        - { name: front, image: busybox, command: [sleep, '3600'], volumeMounts: [{ name: conf, mountPath: /etc/app, readOnly: true }] }
---
apiVersion: v1
kind: Secret
metadata: { name: pct-wl-db }
data: { password: ${Buffer.from('s3cret').toString('base64')} }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: pct-wl-front }
data: { app.conf: "backend=pct-wl-web:8080" }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: pct-wl-html }
data: { index.html: "<h1>pct-wl</h1>" }
`;

describe('a two-tier app from one manifest', () => {
  it('applies in dependency order, answers, re-applies as a no-op, rolls out, scales, runs a Job against it and deletes to nothing', async () => {
    const app = await manifest('app', APP('hello'));
    cleanup.push(app);
    const out = lines((await podctlOk(['apply', '-f', app])).stdout);
    // ConfigMaps and Secrets first, whatever the file order; then the Deployments' pods.
    assert.deepEqual(out.slice(0, 3), ['secret/pct-wl-db created', 'configmap/pct-wl-front created', 'configmap/pct-wl-html created']);
    assert.ok(out.includes('deployment.apps/pct-wl-web created') && out.includes('deployment.apps/pct-wl-front created'), out.join('\n'));

    const web = await podsWith('app=pct-wl-web');
    assert.equal(web.length, 2);
    const hash = web[0]!.metadata.labels!['pod-template-hash']!;
    for (const p of web) {
      assert.match(p.metadata.name, new RegExp(`^pct-wl-web-${hash}-[a-z0-9]{5}$`));
      assert.equal((await fetchText(`http://${p.status!.podIP}:8080/index.html`)).body, '<h1>pct-wl</h1>');
    }
    const env = await podctlOk(['exec', 'deploy/pct-wl-web', '--', 'sh', '-c', 'echo $DB_PASSWORD; cat /tmp/greeting']);
    assert.match(env.stdout, /^s3cret\nhello from \$\(POD_NAME\)\n?$/, 'POD_NAME is defined after GREETING: left as written, as Kubernetes does');
    assert.equal((await podctlOk(['exec', 'deploy/pct-wl-front', '--', 'cat', '/etc/app/front/app.conf'])).stdout, 'backend=pct-wl-web:8080');

    // Unchanged: nothing is touched.
    const again = lines((await podctlOk(['apply', '-f', app])).stdout);
    assert.ok(again.every((l) => l.endsWith(' unchanged')), again.join('\n'));
    assert.deepEqual((await podsWith('app=pct-wl-web')).map((p) => p.metadata.name).sort(), web.map((p) => p.metadata.name).sort());

    // A changed template rolls out: one new pod at a time, an old one goes once it is ready.
    const changed = await manifest('app', APP('howdy'));
    const rollout = lines((await podctlOk(['apply', '-f', changed])).stdout);
    assert.ok(rollout.includes('deployment.apps/pct-wl-web configured'), rollout.join('\n'));
    const steps = rollout.filter((l) => l.startsWith('pod/pct-wl-web-'));
    assert.deepEqual(steps.map((l) => l.split(' ')[1]), ['created', 'deleted', 'created', 'deleted'], 'maxSurge 1, maxUnavailable 0: surge, then replace');
    const rolled = await podsWith('app=pct-wl-web');
    assert.equal(rolled.length, 2);
    assert.ok(rolled.every((p) => p.metadata.labels!['pod-template-hash'] !== hash));
    assert.match((await podctlOk(['rollout', 'status', 'deployment', 'pct-wl-web'])).stdout, /successfully rolled out/);

    await podctlOk(['scale', 'deployment', 'pct-wl-web', '--replicas', '3']);
    assert.equal((await podsWith('app=pct-wl-web')).length, 3);
    await podctlOk(['scale', 'deployment/pct-wl-web', '--replicas', '1']);
    const one = await podsWith('app=pct-wl-web');
    assert.equal(one.length, 1);
    assert.match((await podctlOk(['get', 'deploy,rs'])).stdout, /deployment\.apps\/pct-wl-web\s+1\/1/);

    // A Job checks the backend by its pod IP.
    const job = await manifest(
      'job',
      `apiVersion: batch/v1
kind: Job
metadata: { name: pct-wl-check }
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: check, image: busybox, command: [wget, -qO-, 'http://${one[0]!.status!.podIP}:8080/index.html'] }]
`,
    );
    cleanup.push(job);
    await podctlOk(['apply', '-f', job]);
    assert.match((await podctlOk(['wait', '--for=condition=complete', 'job/pct-wl-check', '--timeout', '60s'])).stdout, /job\.batch\/pct-wl-check condition met/);
    assert.equal((await podctlOk(['logs', 'job/pct-wl-check'])).stdout.trim(), '<h1>pct-wl</h1>');
    assert.match((await podctlOk(['get', 'jobs'])).stdout, /pct-wl-check\s+Complete\s+1\/1/);
    const jobPods = await podsWith('job-name=pct-wl-check');
    assert.equal(jobPods.length, 1);
    // kubectl's words for a pod whose container exited 0.
    assert.match((await podctlOk(['get', 'pods', '-l', 'job-name=pct-wl-check'])).stdout, new RegExp(`${jobPods[0]!.metadata.name}\\s+0/1\\s+Completed\\s`));

    await podctlOk(['delete', '-f', job]);
    await podctlOk(['delete', '-f', changed]);
    assert.equal((await podctlOk(['get', 'pods,deploy,cm,secrets', '-o', 'name'])).stdout.split('\n').filter((l) => /pct-wl/.test(l)).length, 0);
  });
});

describe('volumes', () => {
  it('emptyDir (disk and Memory) shared by containers, hostPath types, configMap/secret modes and subPath, downwardAPI, a claim that outlives its pods', async () => {
    const hostDir = join(work, 'host');
    await writeFile(join(work, 'host-file'), 'from the host\n');
    const cm = await manifest(
      'vol',
      `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: pct-wl-data }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: pct-wl-cfg }
data: { a.txt: "A", b.txt: "B" }
---
apiVersion: v1
kind: Secret
metadata: { name: pct-wl-key }
stringData: { token: t0ken }
---
apiVersion: v1
kind: Pod
metadata: { name: pct-wl-vol, labels: { app: vol, tier: test } }
spec:
  terminationGracePeriodSeconds: 1
  volumes:
    - { name: shared, emptyDir: {} }
    - { name: mem, emptyDir: { medium: Memory } }
    - { name: hostdir, hostPath: { path: ${hostDir}, type: DirectoryOrCreate } }
    - { name: hostfile, hostPath: { path: ${join(work, 'host-file')}, type: File } }
    - { name: cfg, configMap: { name: pct-wl-cfg, items: [{ key: b.txt, path: sub/b.txt, mode: 0600 }] } }
    - { name: key, secret: { secretName: pct-wl-key, defaultMode: 0400 } }
    - { name: optional, configMap: { name: pct-wl-nope, optional: true } }
    - { name: info, downwardAPI: { items: [{ path: labels, fieldRef: { fieldPath: metadata.labels } }, { path: name, fieldRef: { fieldPath: metadata.name } }] } }
    - { name: data, persistentVolumeClaim: { claimName: pct-wl-data } }
  containers:
    - name: writer
      image: busybox
      command: [sh, -c, 'echo shared > /shared/x; echo mem > /mem/y; echo kept > /data/kept; sleep 3600']
      volumeMounts: [{ name: shared, mountPath: /shared }, { name: mem, mountPath: /mem }, { name: data, mountPath: /data }]
    - name: reader
      image: busybox
      command: [sleep, '3600']
      volumeMounts:
        - { name: shared, mountPath: /shared, readOnly: true }
        - { name: mem, mountPath: /mem }
        - { name: hostdir, mountPath: /hostdir }
        - { name: hostfile, mountPath: /etc/host-file, readOnly: true }
        - { name: cfg, mountPath: /cfg }
        - { name: cfg, mountPath: /only-b, subPath: sub }
        - { name: key, mountPath: /key }
        - { name: optional, mountPath: /optional }
        - { name: info, mountPath: /info }
        - { name: data, mountPath: /data-sub, subPath: part }
`,
    );
    cleanup.push(cm);
    await podctlOk(['apply', '-f', cm]);
    const inReader = async (script: string) => (await podctlOk(['exec', 'pct-wl-vol', '-c', 'reader', '--', 'sh', '-c', script])).stdout.trim();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await inReader('cat /shared/x /mem/y'), 'shared\nmem');
    assert.match(await inReader('grep " /mem " /proc/mounts; grep " /key " /proc/mounts'), /^tmpfs \/mem tmpfs .*\ntmpfs \/key tmpfs ro/);
    assert.match(await inReader('touch /shared/no 2>&1; echo $?'), /Read-only file system\n1$/);
    assert.equal(await inReader('cat /etc/host-file; touch /hostdir/made && echo ok'), 'from the host\nok');
    assert.equal(await inReader('ls /cfg/sub; stat -c %a /cfg/sub/b.txt; cat /only-b/b.txt'), 'b.txt\n600\nB');
    assert.equal(await inReader('cat /key/token; echo; stat -c %a /key/token'), 't0ken\n400');
    assert.equal(await inReader('ls -A /optional | wc -l; cat /info/name; echo; cat /info/labels'), '0\npct-wl-vol\napp="vol"\ntier="test"');
    // A claim in use is not deleted; its data outlives the pod.
    const refused = await podctl(['delete', 'pvc', 'pct-wl-data']);
    assert.equal(refused.exitCode, 1);
    assert.match(refused.stderr, /^podctl: persistentvolumeclaim pct-wl-data is in use by pod pct-wl-vol/);
    await podctlOk(['delete', 'pod', 'pct-wl-vol']);
    const volume = await podctlOk(['run', '--name', 'pct-wl-vol2', '--image', 'busybox', '--volume', 'podctl-pvc-default-pct-wl-data:/d:ro', '--command', 'busybox=cat /d/kept']);
    assert.match(volume.stdout, /pct-wl-vol2/);
    assert.equal((await podctlOk(['logs', 'pct-wl-vol2'])).stdout.trim(), 'kept');
    await podctlOk(['rm', '-f', 'pct-wl-vol2']);
    await podctlOk(['delete', '--ignore-not-found', '-f', cm]);
  });
});

describe('bad manifests: one line, non-zero exit, nothing created', () => {
  const DEPLOY = (extra: { selector?: string; env?: string; mounts?: string; volumes?: string } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: pct-wl-bad }
spec:
  selector: { matchLabels: { app: ${extra.selector ?? 'pct-wl-bad'} } }
  template:
    metadata: { labels: { app: pct-wl-bad } }
    spec:
      volumes: ${extra.volumes ?? '[]'}
      containers: [{ name: c, image: busybox, command: [sleep, '60'], env: ${extra.env ?? '[]'}, volumeMounts: ${extra.mounts ?? '[]'} }]
`;
  const cases: Array<[string, string, RegExp]> = [
    ['a missing ConfigMap', DEPLOY({ env: '[{ name: A, valueFrom: { configMapKeyRef: { name: pct-wl-none, key: k } } }]' }), /env\[0\]\.valueFrom\.configMapKeyRef\.name: configmap "pct-wl-none" not found/],
    ['a missing Secret', DEPLOY({ volumes: '[{ name: s, secret: { secretName: pct-wl-none } }]', mounts: '[{ name: s, mountPath: /s }]' }), /volumes\[0\]\.secret\.secretName: secret "pct-wl-none" not found/],
    ['a selector that does not match the template', DEPLOY({ selector: 'other' }), /spec\.template\.metadata\.labels: do not match spec\.selector/],
    ['a volumeMount naming no volume', DEPLOY({ mounts: '[{ name: nope, mountPath: /x }]' }), /volumeMounts\[0\]\.name: names no volume of this pod \("nope"\)/],
    ['a schema error podctl itself does not read (the OpenAPI schema finds it)', DEPLOY().replace('spec:\n  selector', 'spec:\n  progressDeadlineSeconds: soon\n  selector'), /spec\.progressDeadlineSeconds: must be integer/],
  ];
  for (const [what, text, says] of cases) {
    it(what, async () => {
      const file = await manifest('bad', `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: pct-wl-before }\ndata: { a: b }\n---\n${text}`);
      const r = await podctl(['apply', '-f', file]);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, says);
      assert.equal((await podctl(['get', 'cm', 'pct-wl-before'])).exitCode, 1, 'the ConfigMap of the same file was not applied either');
    });
  }

  it('a hostPath of the wrong type is refused before the pod is created', async () => {
    const file = await manifest('hp', DEPLOY({ volumes: `[{ name: h, hostPath: { path: ${work}, type: File } }]`, mounts: '[{ name: h, mountPath: /h }]' }));
    cleanup.push(file);
    const r = await podctl(['apply', '-f', file]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`hostPath volume h: ${work} is not a file \\(type File\\)`));
    assert.deepEqual(await podsWith('app=pct-wl-bad'), []);
  });

  it("a Job past its backoffLimit fails and keeps its pods for their logs", async () => {
    const file = await manifest(
      'job',
      `apiVersion: batch/v1
kind: Job
metadata: { name: pct-wl-fail }
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: c, image: busybox, command: [sh, -c, 'echo broken; exit 3'] }]
`,
    );
    cleanup.push(file);
    await podctlOk(['apply', '-f', file]);
    const r = await podctl(['wait', '--for=condition=complete', 'job/pct-wl-fail', '--timeout', '60s']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /job pct-wl-fail ended Failed \(BackoffLimitExceeded\), not complete: 0 succeeded, 2 failed/);
    const pods = await podsWith('job-name=pct-wl-fail');
    assert.equal(pods.length, 2, 'backoffLimit 1: the first pod and one retry, both kept');
    assert.match((await podctlOk(['logs', `pod/${pods[0]!.metadata.name}`])).stdout, /broken/);
    assert.match((await podctlOk(['get', 'pods', '-l', 'job-name=pct-wl-fail'])).stdout, new RegExp(`${pods[0]!.metadata.name}\\s+0/1\\s+Error\\s`));
    assert.equal(pods[0]!.status?.phase, 'Failed');
    assert.match((await podctlOk(['get', 'jobs'])).stdout, /pct-wl-fail\s+Failed\s+0\/1/);
  });
});

describe('DaemonSet, resources and securityContext', () => {
  it('a DaemonSet runs one pod and replaces it when its template changes; limits and security reach Docker', async () => {
    const ds = (user: number) => `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: pct-wl-ds }
spec:
  selector: { matchLabels: { app: pct-wl-ds } }
  template:
    metadata: { labels: { app: pct-wl-ds } }
    spec:
      terminationGracePeriodSeconds: 1
      securityContext: { runAsUser: ${user}, runAsNonRoot: true }
      containers:
        - name: c
          image: busybox
          command: [sleep, '3600']
          resources: { limits: { memory: 64Mi, cpu: 500m }, requests: { cpu: 250m } }
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] } }
`;
    const file = await manifest('ds', ds(1000));
    cleanup.push(file);
    await podctlOk(['apply', '-f', file]);
    const [first] = await podsWith('app=pct-wl-ds');
    assert.match(first!.metadata.name, /^pct-wl-ds-[a-z0-9]{5}$/);
    const inspect = JSON.parse(
      (await execa('docker', ['inspect', `podctl_c_${first!.metadata.name}_default`])).stdout,
    ) as Array<{ Config: { User: string }; HostConfig: Record<string, unknown> }>;
    const host = inspect[0]!.HostConfig;
    assert.equal(inspect[0]!.Config.User, '1000');
    assert.deepEqual([host.Memory, host.NanoCpus, host.CpuShares, host.ReadonlyRootfs, host.CapDrop, host.CapAdd, host.SecurityOpt], [64 * 2 ** 20, 500_000_000, 256, true, ['ALL'], ['NET_BIND_SERVICE'], ['no-new-privileges']]);
    assert.equal((await podctlOk(['exec', `pod/${first!.metadata.name}`, '--', 'id', '-u'])).stdout.trim(), '1000');
    assert.match((await podctlOk(['get', 'ds'])).stdout, /pct-wl-ds\s+1\s+1\s+1\s+1\s+1/);

    await writeFile(file, ds(0));
    const root = await podctl(['apply', '-f', file]);
    assert.equal(root.exitCode, 2);
    assert.match(root.stderr, /securityContext\.runAsNonRoot: is true but runAsUser is 0/);
    await writeFile(file, ds(2000));
    await podctlOk(['apply', '-f', file]);
    const after = await podsWith('app=pct-wl-ds');
    assert.equal(after.length, 1);
    assert.notEqual(after[0]!.metadata.name, first!.metadata.name);
    await podctlOk(['delete', 'ds', 'pct-wl-ds']);
  });
});

describe('podctl run with docker run habits', () => {
  it('--volume, --tmpfs, --env-file, -w, -u, --memory, --cpus, --cap-drop, --read-only, --init reach the container', async () => {
    await writeFile(join(work, 'env.list'), 'A=from-file\n# a comment\nB=2\n');
    await writeFile(join(work, 'shared.txt'), 'host data\n');
    await chmod(work, 0o755); // the container runs as uid 1000
    const name = 'pct-wl-run';
    try {
      await podctlOk(['run', '--name', name, '--image', 'busybox', '--volume', `${work}:/host:ro`, '--tmpfs', '/scratch:size=1m', '--env-file', join(work, 'env.list'), '-e', 'B=3', '-w', '/tmp', '-u', '1000:1000', '--memory', '64m', '--cpus', '0.5', '--cap-drop', 'ALL', '--read-only', '--init', '--', 'sleep', '600']);
      const out = (await podctlOk(['exec', name, '--', 'sh', '-c', 'echo $A $B; pwd; id -u; touch /x 2>&1; touch /scratch/ok && echo tmpfs; cat /host/shared.txt; touch /host/no 2>&1; cat /proc/1/comm'])).stdout;
      assert.equal(out.trim(), 'from-file 3\n/tmp\n1000\ntouch: /x: Read-only file system\ntmpfs\nhost data\ntouch: /host/no: Read-only file system\ndocker-init');
      const host = JSON.parse((await execa('docker', ['inspect', `podctl_busybox_${name}_default`])).stdout)[0].HostConfig as Record<string, unknown>;
      assert.deepEqual([host.Memory, host.NanoCpus, host.CapDrop], [64 * 2 ** 20, 500_000_000, ['ALL']]);
    } finally {
      await podctl(['rm', '-f', name]);
    }
  });
});
