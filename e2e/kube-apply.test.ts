import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { REPO_ROOT, eventually, fetchText, podctl, podctlOk, sh, uniqueName } from './harness/run.js';

// `podctl apply -f` on real manifests: real dockerd, real plugins. The conf dir is the shipped
// default network plus a second bridge of this test's own (pct-kube1, 10.213.77.0/24) for the
// k8s.v1.cni.cncf.io/networks annotation. Every test ends with the leak checker.
const EXTRA_BRIDGE = 'pct-kube1';
let confDir: string;
let work: string;
let leaks: LeakChecker;
const applied: string[] = [];

const kube = (args: string[], input?: string) => podctl(['--cni-conf-dir', confDir, ...args], { input });
const kubeOk = (args: string[], input?: string) => podctlOk(['--cni-conf-dir', confDir, ...args], { input });

before(async () => {
  confDir = await mkdtemp(join(tmpdir(), 'pct-kube-conf-'));
  work = await mkdtemp(join(tmpdir(), 'pct-kube-work-'));
  await copyFile(join(REPO_ROOT, 'cni-conf', '10-podctl.conflist'), join(confDir, '10-podctl.conflist'));
  await writeFile(
    join(confDir, '90-pct-kube.conflist'),
    JSON.stringify({
      cniVersion: '1.0.0',
      name: 'pct-kube-net',
      plugins: [{ type: 'bridge', bridge: EXTRA_BRIDGE, ipam: { type: 'host-local', dataDir: '/var/lib/podctl/cni/networks', ranges: [[{ subnet: '10.213.77.0/24' }]] } }],
    }),
  );
});

after(async () => {
  await rm(confDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
  await sh('ip', ['link', 'del', EXTRA_BRIDGE]).catch(() => undefined);
});

beforeEach(async () => {
  leaks = await LeakChecker.start();
});

afterEach(async () => {
  if (applied.length > 0) await kube(['rm', '-f', ...applied.splice(0)]);
  await leaks.assertClean();
});

async function manifestFile(name: string, text: string): Promise<string> {
  const path = join(work, `${name}.yaml`);
  await writeFile(path, text);
  return path;
}

const hostPort = () => 20000 + Math.floor(Math.random() * 9000);

function shopManifest(name: string, port: number, sideCommand = 'sleep 3600'): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: { app: shop }
  annotations:
    k8s.v1.cni.cncf.io/networks: pct-kube-net
spec:
  hostname: front
  subdomain: shop
  terminationGracePeriodSeconds: 1
  dnsPolicy: None
  dnsConfig:
    nameservers: [10.99.0.53]
    searches: [svc.test]
    options: [{ name: ndots, value: "2" }]
  initContainers:
    - name: init
      image: busybox:latest
      command: [sh, -c, "echo init done"]
  containers:
    - name: web
      image: nginx:latest
      ports: [{ containerPort: 80, hostPort: ${port}, hostIP: 127.0.0.1, name: http }]
      readinessProbe: { httpGet: { path: /, port: http }, periodSeconds: 1 }
      resources: { limits: { cpu: 100m } }
      lifecycle: { preStop: { exec: { command: ["true"] } } }
    - name: side
      image: busybox:latest
      command: [sh, -c, "${sideCommand}"]
      env: [{ name: GREETING, value: hello }]
      startupProbe: { exec: { command: [wget, -qO-, "http://127.0.0.1/"] } }
`;
}

describe('podctl apply', () => {
  it('runs a two-container manifest with an init container, a hostPort, probes, dnsConfig and an extra network', async () => {
    const name = uniqueName('pct-kube');
    applied.push(name);
    const port = hostPort();
    const file = await manifestFile(name, shopManifest(name, port));
    const started = Date.now();
    const first = await kubeOk(['apply', '-f', file, '--wait', '--timeout', '60']);
    const applyMs = Date.now() - started;
    assert.equal(first.stdout, `pod/${name} created`);
    // One warning line listing the field podctl cannot honour, by path.
    assert.match(first.stderr, /warning: .*fields podctl cannot honour \(ignored\): spec\.containers\[0\]\.lifecycle$/m);

    // --wait returned after the readiness probe: the page answers at once, on the host port too.
    const pod = JSON.parse((await kubeOk(['inspect', name, '-o', 'json'])).stdout) as { ips: string[]; networks: Array<{ name: string; ifname: string; ips: string[] }> };
    assert.deepEqual(pod.networks.map((n) => [n.name, n.ifname]), [['podctl', 'eth0'], ['pct-kube-net', 'net1']]);
    assert.match(pod.networks[1]!.ips[0]!, /^10\.213\.77\./);
    assert.match((await fetchText(`http://${pod.ips[0]}/`)).body, /Welcome to nginx!/);
    assert.match((await eventually(() => fetchText(`http://127.0.0.1:${port}/`))).body, /Welcome to nginx!/);

    const files = await kubeOk(['exec', name, '-c', 'side', '--', 'sh', '-c', 'cat /etc/resolv.conf /etc/hosts; echo $GREETING; ip -o addr show net1']);
    assert.match(files.stdout, /nameserver 10\.99\.0\.53\nsearch svc\.test\noptions ndots:2/);
    assert.match(files.stdout, new RegExp(`${pod.ips[0]!.replace(/\./g, '\\.')}\\tfront\\.shop\\.default\\.svc\\.cluster\\.local\\tfront`));
    assert.match(files.stdout, /hello/);
    assert.match(files.stdout, /net1 +inet 10\.213\.77\./);
    assert.match((await kubeOk(['logs', name, '-c', 'init'])).stdout, /init done/);

    // Unchanged: a no-op. Changed: the pod is replaced.
    const again = await kubeOk(['apply', '-f', file]);
    assert.equal(again.stdout, `pod/${name} unchanged`);
    const changed = await manifestFile(`${name}-v2`, shopManifest(name, port, 'sleep 3601'));
    assert.equal((await kubeOk(['apply', '-f', changed, '--wait'])).stdout, `pod/${name} replaced`);
    const ps = JSON.parse((await kubeOk(['ps', '-o', 'json'])).stdout) as Array<{ name: string; state: string }> | { name: string; state: string };
    assert.equal([ps].flat().find((p) => p.name === name)?.state, 'running');

    assert.equal((await kubeOk(['delete', '-f', changed])).stdout, `pod/${name} deleted`);
    applied.splice(applied.indexOf(name), 1);
    process.stderr.write(`# apply --wait of the two-container pod took ${applyMs} ms`);
  });

  it('reports malformed manifests with the path and reason, and --strict refuses unsupported fields; nothing is created', async () => {
    const name = uniqueName('pct-kube');
    const bad = `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  containers:
    - { name: a, image: busybox:latest }
    - name: b
      image: busybox:latest
      ports: [{ containerPort: 70000 }]
`;
    const malformed = await kube(['apply', '-f', '-'], bad);
    assert.equal(malformed.exitCode, 2);
    assert.equal(malformed.stderr, `podctl: stdin: spec.containers[1].ports[0].containerPort: must be 1-65535; fix the manifest and apply again`);

    const unsupported = `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  affinity: { nodeAffinity: {} }
  containers: [{ name: a, image: busybox:latest, lifecycle: { preStop: { exec: { command: ["true"] } } } }]
`;
    const strict = await kube(['apply', '--strict', '-f', '-'], unsupported);
    assert.equal(strict.exitCode, 2);
    assert.match(strict.stderr, /stdin: pod .*: fields podctl cannot honour: spec\.affinity, spec\.containers\[0\]\.lifecycle/);

    const notPod = await kube(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: { name: x }\n');
    assert.equal(notPod.exitCode, 2);
    assert.match(notPod.stderr, /hold nothing podctl runs \(stdin: Gadget\/x skipped: podctl does not run kind Gadget\)/);
    const noSpec = await kube(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\n');
    assert.match(noSpec.stderr, /^podctl: stdin: spec: is required/);
    assert.equal((await kube(['ps', '-a', '-q'])).stdout.split('\n').includes(name), false);
  });

  it('a failing init container fails the pod with its output, and nothing is left', async () => {
    const name = uniqueName('pct-kube');
    const manifest = `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  initContainers:
    - { name: migrate, image: busybox:latest, command: [sh, -c, "echo schema v7 missing >&2; exit 3"] }
  containers: [{ name: app, image: busybox:latest, command: [sleep, "3600"] }]
`;
    const result = await kube(['apply', '-f', '-'], manifest);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /init container migrate exited with code 3: schema v7 missing/);
    assert.equal((await kube(['inspect', name])).exitCode, 1);
  });

  it('round-trips: generate → delete → apply gives the same pod', async () => {
    const name = uniqueName('pct-kube');
    applied.push(name);
    const port = hostPort();
    await kubeOk([
      'run', '--container', 'web=nginx:latest', '--container', 'side=busybox:latest', '--command', 'side=sleep 3600', '--name', name,
      '-p', `127.0.0.1:${port}:80`, '-e', 'MODE=test', '--label', 'tier=front', '--hostname', 'rt-host', '--dns', '10.99.0.54',
      '--dns-search', 'rt.test', '--network', 'podctl', '--network', 'pct-kube-net', '--stop-timeout', '1', '--wait-http', ':80/',
    ]);
    const generated = (await kubeOk(['kube', 'generate', name])).stdout;
    assert.equal((await kubeOk(['get', 'pod', name, '-o', 'yaml'])).stdout.includes('podIP:'), true);
    const file = await manifestFile(name, generated);
    assert.equal((await kubeOk(['delete', '-f', file])).stdout, `pod/${name} deleted`);
    assert.equal((await kube(['inspect', name])).exitCode, 1);
    assert.equal((await kubeOk(['apply', '-f', file, '--wait'])).stdout, `pod/${name} created`);
    assert.equal((await kubeOk(['kube', 'generate', name])).stdout, generated);
    const pod = JSON.parse((await kubeOk(['inspect', name, '-o', 'json'])).stdout) as { networks: Array<{ name: string }>; labels: Record<string, string>; containers: Array<{ name: string; image: string }> };
    assert.deepEqual(pod.networks.map((n) => n.name), ['podctl', 'pct-kube-net']);
    assert.equal(pod.labels.tier, 'front');
    assert.deepEqual(pod.containers.map((c) => `${c.name}=${c.image}`), ['side=busybox:latest', 'web=nginx:latest']);
    assert.match((await eventually(() => fetchText(`http://127.0.0.1:${port}/`))).body, /Welcome to nginx!/);
  });

  it('keeps namespaces apart: metadata.namespace is part of the identity, ps -n shows it', async () => {
    const name = uniqueName('pct-kube');
    const manifest = (ns: string) => `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name}, namespace: ${ns} }\nspec:\n  terminationGracePeriodSeconds: 0\n  containers: [{ name: c, image: busybox:latest, command: [sleep, "3600"] }]\n`;
    const both = [manifest('pct-kube-a'), manifest('pct-kube-b')].join('---\n');
    assert.equal((await kubeOk(['apply', '-f', '-'], both)).stdout, `pod/pct-kube-a/${name} created\npod/pct-kube-b/${name} created`);
    try {
      assert.equal((await kubeOk(['ps', '-n', 'pct-kube-a', '-q'])).stdout, `pct-kube-a/${name}`);
      const all = (await kubeOk(['ps', '-A', '-q'])).stdout;
      assert.ok(all.includes(`pct-kube-a/${name}`) && all.includes(`pct-kube-b/${name}`), all);
      const wrongNs = await kube(['apply', '-n', 'other', '-f', '-'], manifest('pct-kube-a'));
      assert.equal(wrongNs.exitCode, 2);
      assert.match(wrongNs.stderr, /metadata\.namespace: is pct-kube-a, but -n says other/);
    } finally {
      assert.equal((await kubeOk(['delete', '-f', '-'], both)).stdout, `pod/pct-kube-a/${name} deleted\npod/pct-kube-b/${name} deleted`);
    }
  });
});
