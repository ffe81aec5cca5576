import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podFromManifest, type ManifestDefaults } from './parse-pod.js';
import { parseManifestText } from './apply/read-manifests.js';

const defaults: ManifestDefaults = { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'localhost/podctl-pause:3.10' };

const parse = (yaml: string) => podFromManifest(parseManifestText(yaml, 'test.yaml')[0]!.value, defaults);

const full = `
apiVersion: v1
kind: Pod
metadata:
  name: shop
  namespace: team-a
  labels: { app: shop }
  annotations:
    k8s.v1.cni.cncf.io/networks: backend, other/storage
spec:
  hostname: front
  subdomain: web
  shareProcessNamespace: true
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 3
  dnsPolicy: None
  dnsConfig:
    nameservers: [10.99.0.10]
    searches: [svc.local]
    options: [{ name: ndots, value: "2" }, { name: edns0 }]
  hostAliases: [{ ip: 10.1.2.3, hostnames: [db, db.local] }]
  initContainers:
    - name: setup
      image: busybox:latest
      command: [sh, -c, "echo ready"]
  containers:
    - name: web
      image: nginx:latest
      ports: [{ containerPort: 80, hostPort: 8080, hostIP: 127.0.0.1, name: http }]
      readinessProbe: { httpGet: { path: /, port: http }, periodSeconds: 1 }
    - name: side
      image: busybox:latest
      args: [sleep, "3600"]
      env: [{ name: MODE, value: test }, { name: EMPTY }]
      workingDir: /tmp
      startupProbe: { exec: { command: ["true"] } }
`;

test('every supported field lands in the pod spec', () => {
  const { parsed, issues } = parse(full);
  assert.deepEqual(issues.errors, []);
  assert.deepEqual(parsed!.unsupported, []);
  const spec = parsed!.spec;
  assert.equal(spec.namespace, 'team-a');
  assert.deepEqual(spec.networks, ['podctl', 'backend', 'storage']);
  assert.deepEqual(spec.portMappings, [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }]);
  assert.deepEqual(spec.dns, { servers: ['10.99.0.10'], searches: ['svc.local'], options: ['ndots:2', 'edns0'] });
  assert.equal(spec.restartPolicy, 'on-failure');
  assert.equal(spec.stopTimeout, 3);
  assert.equal(spec.sharePid, true);
  assert.equal(spec.subdomain, 'web');
  assert.deepEqual(spec.initContainers[0]!.command, ['sh', '-c', 'echo ready']);
  assert.deepEqual(spec.containers[0]!.readinessProbe, { httpGet: { port: 80, path: '/' }, periodSeconds: 1 });
  assert.deepEqual(spec.containers[1]!.env, { MODE: 'test', EMPTY: '' });
  assert.deepEqual(spec.containers[1]!.startupProbe, { exec: { command: ['true'] } });
});

test('defaults follow Kubernetes: restart Always, 30 s grace, the default network, namespace from the caller', () => {
  const { parsed } = parse('apiVersion: v1\nkind: Pod\nmetadata: { name: a }\nspec: { containers: [{ name: c, image: nginx }] }\n');
  assert.equal(parsed!.spec.restartPolicy, 'always');
  assert.equal(parsed!.spec.stopTimeout, 30);
  assert.deepEqual(parsed!.spec.networks, ['podctl']);
  assert.equal(parsed!.spec.namespace, 'default');
  assert.equal(parsed!.spec.dns, undefined);
});

test('malformed fields are reported with their path and reason, all at once', () => {
  const { parsed, issues } = parse(`
apiVersion: v1
kind: Pod
metadata: { name: Bad_Name, labels: { app: 1 } }
spec:
  restartPolicy: Sometimes
  containers:
    - { name: a, image: nginx }
    - name: b
      image: nginx
      ports: [{ containerPort: 70000 }]
      readinessProbe: { tcpSocket: { port: 80 }, exec: { command: [x] } }
`);
  assert.equal(parsed, undefined);
  const lines = issues.errors.map((e) => `${e.path}: ${e.reason}`);
  assert.ok(lines.includes('spec.containers[1].ports[0].containerPort: must be 1-65535'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('metadata.name: must be a DNS-1123 label')));
  assert.ok(lines.some((l) => l.startsWith('metadata.labels.app: must be a string')));
  assert.ok(lines.some((l) => l.startsWith('spec.restartPolicy: must be one of Always, OnFailure, Never')));
  assert.ok(lines.some((l) => l.startsWith('spec.containers[1].readinessProbe: must have exactly one of')));
});

test('fields podctl cannot honour are listed by path; server-set defaults and empty values are not', () => {
  const { parsed } = parse(`
apiVersion: v1
kind: Pod
metadata: { name: a, uid: 123, resourceVersion: "9", ownerReferences: [{ kind: X }] }
spec:
  volumes: [{ name: data, emptyDir: {} }, { name: cfg, projected: { sources: [] } }]
  affinity: { nodeAffinity: {} }
  schedulerName: default-scheduler
  securityContext: {}
  containers:
    - name: c
      image: nginx
      imagePullPolicy: IfNotPresent
      terminationMessagePath: /dev/termination-log
      resources: { limits: { cpu: 100m } }
      livenessProbe: { tcpSocket: { port: 80 } }
      lifecycle: { preStop: { exec: { command: [sh] } } }
      env: [{ name: X, valueFrom: { fieldRef: { fieldPath: status.podIP } } }]
status: { phase: Running }
`);
  assert.deepEqual(parsed!.unsupported, [
    'metadata.ownerReferences',
    'spec.affinity',
    'spec.volumes[1].projected',
    'spec.containers[0].lifecycle',
  ]);
  assert.deepEqual(parsed!.spec.containers[0]!.livenessProbe, { tcpSocket: { port: 80 } });
  assert.deepEqual(parsed!.spec.containers[0]!.podIPEnv, ['X']);
  assert.deepEqual(parsed!.spec.containers[0]!.resources, { cpus: 0.1 });
  assert.deepEqual(parsed!.spec.volumes, [{ name: 'data', source: { kind: 'emptyDir', medium: 'disk' } }]);
});

test('the networks annotation takes the JSON form too, and a custom interface is unsupported', () => {
  const { parsed } = parse(`
apiVersion: v1
kind: Pod
metadata:
  name: a
  annotations:
    k8s.v1.cni.cncf.io/networks: '[{"name": "one"}, {"name": "two", "interface": "eth9"}]'
    v1.multus-cni.io/default-network: main
spec: { containers: [{ name: c, image: nginx }] }
`);
  assert.deepEqual(parsed!.spec.networks, ['main', 'one', 'two']);
  assert.deepEqual(parsed!.unsupported, ['metadata.annotations["k8s.v1.cni.cncf.io/networks"][1].interface']);
});

test("stdin, stdinOnce and tty (kubectl run -it's pod) land in the container spec; false is the default; bad values and init containers' are reported by path", () => {
  const run = parse(`
apiVersion: v1
kind: Pod
metadata: { creationTimestamp: null, labels: { run: t }, name: t }
spec:
  containers:
  - args: [sh]
    image: busybox
    name: t
    resources: {}
    stdin: true
    stdinOnce: true
    tty: true
  - { name: quiet, image: busybox, stdin: false, stdinOnce: false, tty: false }
  dnsPolicy: ClusterFirst
  restartPolicy: Never
status: {}
`);
  assert.deepEqual(run.issues.errors, []);
  assert.deepEqual(run.parsed!.unsupported, []);
  const [t, quiet] = run.parsed!.spec.containers;
  assert.deepEqual([t!.stdin, t!.stdinOnce, t!.tty], [true, true, true]);
  assert.deepEqual([quiet!.stdin, quiet!.stdinOnce, quiet!.tty], [undefined, undefined, undefined]);

  const bad = parse(`
apiVersion: v1
kind: Pod
metadata: { name: b }
spec:
  initContainers: [{ name: setup, image: busybox, tty: true, stdin: false }]
  containers: [{ name: c, image: busybox, stdin: "yes", tty: 1 }]
`);
  const lines = bad.issues.errors.map((e) => `${e.path}: ${e.reason}`);
  assert.deepEqual(lines, ['spec.containers[0].stdin: must be true or false', 'spec.containers[0].tty: must be true or false']);
  const unsupported = parse(`
apiVersion: v1
kind: Pod
metadata: { name: b }
spec:
  initContainers: [{ name: setup, image: busybox, tty: true, stdin: false }]
  containers: [{ name: c, image: busybox }]
`);
  assert.deepEqual(unsupported.parsed!.unsupported, ['spec.initContainers[0].tty']);
});
