import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import type { PodSpec } from '../pod/spec.js';
import { manifestFromPod } from './generate-pod.js';
import { podFromManifest, type ManifestDefaults } from './parse-pod.js';
import { parseManifestText } from './apply/read-manifests.js';
import { specHash } from './spec-hash.js';

const defaults: ManifestDefaults = { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'localhost/podctl-pause:3.10' };

/** A pod as `podctl run` makes it: host ports without declared container ports, labels kubectl would refuse. */
const fromRun: PodSpec = {
  name: 'web',
  namespace: 'default',
  hostname: 'front',
  labels: { app: 'web', note: 'has spaces in it', 'io.podctl.applied-hash': 'x' },
  annotations: {},
  networks: ['lan', 'backend'],
  portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }, { hostPort: 5353, containerPort: 53, protocol: 'udp' }],
  dns: { servers: [], searches: ['example.test'], options: ['ndots:1'] },
  hostAliases: [{ ip: '10.0.0.5', hostnames: ['db'] }],
  sharePid: false,
  restartPolicy: 'no',
  pauseImage: 'localhost/podctl-pause:3.10',
  initContainers: [],
  containers: [{ name: 'nginx', image: 'nginx:latest', env: { A: '1' }, args: ['nginx', '-g', 'daemon off;'] }],
  stopTimeout: 10,
};

const reparse = (spec: PodSpec) => {
  const yaml = stringify(manifestFromPod(spec, { defaultNetwork: 'podctl' }));
  const { parsed, issues } = podFromManifest(parseManifestText(yaml, 'gen.yaml')[0]!.value, defaults);
  assert.deepEqual(issues.errors, [], yaml);
  assert.deepEqual(parsed!.unsupported, [], yaml);
  return { yaml, spec: parsed!.spec };
};

test('a generated manifest uses Kubernetes field names and keeps podctl bookkeeping out', () => {
  const pod = manifestFromPod(fromRun, { defaultNetwork: 'podctl' });
  assert.equal(pod.apiVersion, 'v1');
  assert.equal(pod.kind, 'Pod');
  assert.deepEqual(pod.metadata.labels, { app: 'web' });
  assert.equal(pod.metadata.annotations?.note, 'has spaces in it');
  assert.equal(pod.metadata.annotations?.['k8s.v1.cni.cncf.io/networks'], 'backend');
  assert.equal(pod.metadata.annotations?.['v1.multus-cni.io/default-network'], 'lan');
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.equal(pod.spec.dnsPolicy, undefined);
  assert.deepEqual(pod.spec.dnsConfig, { searches: ['example.test'], options: [{ name: 'ndots', value: '1' }] });
  assert.deepEqual(pod.spec.containers[0]!.ports, [
    { containerPort: 80, protocol: 'TCP', hostPort: 8080, hostIP: '127.0.0.1' },
    { containerPort: 53, protocol: 'UDP', hostPort: 5353 },
  ]);
  assert.deepEqual(pod.spec.containers[0]!.env, [{ name: 'A', value: '1' }]);
});

test('generate → parse gives back the same pod (labels that moved to annotations aside)', () => {
  const { spec } = reparse(fromRun);
  assert.deepEqual(spec.networks, fromRun.networks);
  assert.deepEqual(spec.portMappings, fromRun.portMappings);
  assert.deepEqual(spec.dns, fromRun.dns);
  assert.deepEqual(spec.containers[0]!.args, fromRun.containers[0]!.args);
  assert.equal(spec.restartPolicy, 'no');
  assert.equal(spec.stopTimeout, 10);
  assert.equal(spec.hostname, 'front');
});

test('an open stdin, stdinOnce and a TTY are generated and read back; a container without them shows none', () => {
  const attachable: PodSpec = { ...fromRun, containers: [{ name: 't', image: 'busybox', env: {}, args: ['sh'], stdin: true, stdinOnce: true, tty: true }, { name: 'plain', image: 'busybox', env: {} }] };
  const pod = manifestFromPod(attachable, { defaultNetwork: 'podctl' });
  assert.deepEqual(pod.spec.containers.map((c) => [c.stdin, c.stdinOnce, c.tty]), [[true, true, true], [undefined, undefined, undefined]]);
  const { spec } = reparse(attachable);
  assert.deepEqual(spec.containers.map((c) => [c.stdin, c.stdinOnce, c.tty]), [[true, true, true], [undefined, undefined, undefined]]);
  assert.equal(specHash(spec), specHash(reparse(spec).spec));
});

test('a pod applied from a manifest round-trips to an equal spec hash', () => {
  const yaml = `
apiVersion: v1
kind: Pod
metadata:
  name: shop
  namespace: team-a
  labels: { app: shop }
  annotations: { k8s.v1.cni.cncf.io/networks: '[{"name":"backend"}]' }
spec:
  subdomain: web
  dnsPolicy: None
  dnsConfig: { nameservers: [10.99.0.10], options: [{ name: ndots, value: "2" }] }
  initContainers: [{ name: setup, image: busybox, command: [sh, -c, "true"] }]
  containers:
    - name: web
      image: nginx
      ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 443, name: https }]
      readinessProbe: { httpGet: { path: /healthz, port: 80 }, initialDelaySeconds: 1 }
    - { name: side, image: busybox, args: [sleep, "99"], startupProbe: { tcpSocket: { port: 80 } } }
`;
  const first = podFromManifest(parseManifestText(yaml, 'a.yaml')[0]!.value, defaults).parsed!.spec;
  const { spec: second } = reparse(first);
  assert.deepEqual(second, first);
  assert.equal(specHash(second), specHash(first));
});

test('the spec hash ignores the session and host port order, and sees a changed image', () => {
  const base = specHash(fromRun);
  assert.equal(specHash({ ...fromRun, session: 's1' }), base);
  assert.equal(specHash({ ...fromRun, portMappings: [...fromRun.portMappings].reverse() }), base);
  assert.notEqual(specHash({ ...fromRun, containers: [{ ...fromRun.containers[0]!, image: 'nginx:1.27' }] }), base);
});

test('`get pod -o yaml` output (with status and creationTimestamp) applies back without warnings', () => {
  const view = {
    name: 'web', namespace: 'default', id: 'abc', state: 'running' as const, ips: ['10.99.0.7'], netns: '/var/run/netns/web', networks: [],
    pause: { id: 'abc', image: 'pause', state: 'running' }, ready: 1, total: 1, labels: {}, created: '2026-01-01T00:00:00.000Z',
    containers: [{ name: 'nginx', id: 'def', image: 'nginx:latest', imageId: 'sha256:0123', role: 'app', state: 'running', status: 'Up 1 second' }],
  };
  const pod = manifestFromPod(fromRun, { defaultNetwork: 'podctl', view });
  const conditions = (ready: string) => [
    { type: 'PodScheduled', status: 'True' },
    { type: 'Initialized', status: 'True' },
    { type: 'ContainersReady', status: ready },
    { type: 'Ready', status: ready },
  ];
  assert.deepEqual(pod.status, {
    phase: 'Running', conditions: conditions('True'), startTime: '2026-01-01T00:00:00.000Z', podIP: '10.99.0.7', podIPs: [{ ip: '10.99.0.7' }],
    containerStatuses: [{ name: 'nginx', image: 'nginx:latest', imageID: 'sha256:0123', containerID: 'docker://def', ready: true, started: true, state: { running: {} } }],
  });
  // Restarted with a readiness probe that has not passed again: running, started, not ready.
  const waiting = manifestFromPod(fromRun, { defaultNetwork: 'podctl', view: { ...view, awaitingReady: true } }).status!;
  assert.deepEqual([waiting.conditions, waiting.containerStatuses?.[0]?.ready, waiting.containerStatuses?.[0]?.started], [conditions('False'), false, true]);
  const { parsed, issues } = podFromManifest(parseManifestText(stringify(pod), 'get.yaml')[0]!.value, defaults);
  assert.deepEqual(issues.errors, []);
  assert.deepEqual(parsed!.unsupported, []);
});
