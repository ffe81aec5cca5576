import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { issueCertificate, makeCa } from '../src/api/pki.js';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk, uniqueName } from './harness/run.js';
import { stopServe, type Serve } from './harness/serve.js';
import { kubectlPath, runKubectl, serveWithApi } from './harness/kube-api.js';

// `podctl serve`'s Kubernetes API driven by real clients: the oldest and the newest kubectl
// installed (kubectl.1.27 and kubectl.1.33, by path) and the Python client, against a
// Deployment and a Service applied with podctl. Each client gets its own HOME (kubectl caches
// discovery under ~/.kube) and the kubeconfig `podctl kubeconfig` prints.
const KUBECTLS = ['1.27', '1.33'];
const API_DIR = '/var/lib/podctl/api';
const ADDRESS_FILE = '/run/podctl/api/server.json';

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-api-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('kubectl and the Python client against podctl serve', () => {
  const name = uniqueName('pct-api');
  let serve: Serve | undefined;
  let port: number;
  let manifest: string;
  let kubeconfig: string;
  let home: string;

  const kubectl = (version: string, args: string[], config = kubeconfig) =>
    runKubectl(kubectlPath(version), config, args, { home });
  const kubectlOk = async (version: string, args: string[], config?: string) => {
    const r = await kubectl(version, args, config);
    assert.equal(r.exitCode, 0, `kubectl.${version} ${args.join(' ')}: ${String(r.stderr)}`);
    return String(r.stdout);
  };

  before(async () => {
    home = join(work, 'home');
    manifest = join(work, 'app.yaml');
    await writeFile(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, labels: { app: ${name} } }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name}, tier: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: nginx
---
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${name} }
  ports: [{ port: 80 }]
`,
    );
    ({ serve, port, kubeconfig } = await serveWithApi(work, manifest));
  });

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    // The port is closed and the published address withdrawn once serve has stopped.
    if (port) {
      const refused = await new Promise<boolean>((resolve) => connect(port, '127.0.0.1').once('connect', function (this: import('node:net').Socket) { this.destroy(); resolve(false); }).once('error', () => resolve(true)));
      assert.ok(refused, `port ${port} still accepts connections after serve stopped`);
    }
    await assert.rejects(stat(ADDRESS_FILE), 'the published address is removed');
    await podctl(['delete', '-f', manifest, '--ignore-not-found']);
    await leaks.assertClean();
  });

  it('keeps its credentials 0600 and prints a kubeconfig with cluster, user and context podctl', async () => {
    for (const f of ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'token']) assert.equal((await stat(join(API_DIR, f))).mode & 0o777, 0o600, f);
    const config = parse(await readFile(kubeconfig, 'utf8')) as { clusters: Array<{ name: string; cluster: { server: string } }>; contexts: Array<{ name: string }>; users: Array<{ name: string; user: { token: string } }>; 'current-context': string };
    assert.deepEqual(config.clusters.map((c) => [c.name, c.cluster.server]), [['podctl', `https://127.0.0.1:${port}`]]);
    assert.deepEqual(config.contexts.map((c) => c.name), ['podctl']);
    assert.equal(config.users[0]!.user.token, (await readFile(join(API_DIR, 'token'), 'utf8')).trim());
    assert.equal(config['current-context'], 'podctl');
  });

  for (const v of KUBECTLS) {
    describe(`kubectl ${v}`, () => {
      it('version: the Kubernetes version of the kubernetes-types podctl is built on', async () => {
        const { version } = JSON.parse(await readFile('node_modules/kubernetes-types/package.json', 'utf8')) as { version: string };
        const out = JSON.parse(await kubectlOk(v, ['version', '-o', 'json'])) as { serverVersion: { gitVersion: string; minor: string } };
        assert.equal(out.serverVersion.gitVersion, `v${version}`);
        assert.equal(out.serverVersion.minor, version.split('.')[1]);
      });

      it('api-resources: the served kinds with short names, groups and scope', async () => {
        const lines = (await kubectlOk(v, ['api-resources', '--no-headers'])).split('\n').map((l) => l.trim().split(/\s+/));
        const row = (n: string) => lines.find((l) => l[0] === n);
        assert.deepEqual(row('pods'), ['pods', 'po', 'v1', 'true', 'Pod']);
        assert.deepEqual(row('namespaces'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
        assert.deepEqual(row('deployments'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
        assert.deepEqual(row('jobs'), ['jobs', 'batch/v1', 'true', 'Job']);
        assert.deepEqual(lines.filter((l) => l[0]).map((l) => l[0]).sort(), ['configmaps', 'daemonsets', 'deployments', 'endpoints', 'endpointslices', 'events', 'events', 'jobs', 'namespaces', 'persistentvolumeclaims', 'pods', 'replicasets', 'secrets', 'serviceaccounts', 'services', 'statefulsets']);
      });

      it('discovery: the aggregated documents, so no request per group version', async () => {
        // A cache of its own, so discovery is asked for now; -v=6 logs each request.
        const r = await kubectl(v, ['api-resources', '-v=6', '--cache-dir', join(work, `cache-${v}`)]);
        assert.equal(r.exitCode, 0, String(r.stderr));
        // 1.27 logs `GET https://... 200 OK`, 1.33 `verb="GET" url="https://..." status="200 OK"`.
        const gets = [...String(r.stderr).matchAll(/GET"? (?:url=")?https:\/\/127\.0\.0\.1:\d+(\/[^?"\s]*)[^"\s]*"? (?:status=")?200 OK/g)].map((m) => m[1]);
        assert.deepEqual(gets.sort(), ['/api', '/apis']);
      });

      it("get pods -o wide: podctl's columns and its rows", async () => {
        const [header, ...rows] = (await kubectlOk(v, ['get', 'pods', '-o', 'wide', '-l', `app=${name}`])).trim().split('\n');
        assert.deepEqual(header!.trim().split(/\s+/), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'IP', 'AGE', 'NAMESPACE', 'NETWORKS']);
        const ours = (await podctlOk(['get', 'pods', '-o', 'wide', '-l', `app=${name}`])).stdout.trim().split('\n').slice(1);
        assert.equal(rows.length, 2);
        assert.deepEqual(rows.map((r) => r.split(/\s+/).filter((_, i) => i !== 5)), ours.map((r) => r.split(/\s+/).filter((_, i) => i !== 5)), 'the same rows but for AGE');
        for (const r of rows) assert.match(r, new RegExp(`^${name}-\\S+\\s+1/1\\s+Running\\s+0\\s+\\d+\\.\\d+\\.\\d+\\.\\d+`));
      });

      it('get deploy,svc: both kinds, prefixed as against a cluster', async () => {
        const out = await kubectlOk(v, ['get', 'deploy,svc', '-l', `app=${name}`]);
        assert.match(out, new RegExp(`^deployment\\.apps/${name}\\s+2/2\\s+2\\s+2\\s+\\S+$`, 'm'));
        const all = (await kubectlOk(v, ['get', 'all', '-o', 'name'])).split('\n');
        for (const ref of [`service/${name}`, `deployment.apps/${name}`]) assert.ok(all.includes(ref), `get all lists ${ref}`);
        assert.equal(all.filter((ref) => ref.startsWith(`pod/${name}-`)).length, 2);
        assert.equal(all.filter((ref) => ref.startsWith(`replicaset.apps/${name}-`)).length, 1);
        assert.equal(await kubectlOk(v, ['get', 'deploy', name, '-o', 'jsonpath={.spec.replicas}']), '2');
        const svc = await kubectlOk(v, ['get', 'svc', name]);
        assert.match(svc, /^NAME\s+TYPE\s+CLUSTER-IP\s+PORT\(S\)\s+AGE$/m);
        assert.match(svc, new RegExp(`^${name}\\s+ClusterIP\\s+\\d+\\.\\d+\\.\\d+\\.\\d+\\s+80/TCP\\s+\\S+$`, 'm'));
      });

      it("get pod NAME -o json: the object podctl's own get shows", async () => {
        const podName = (await podctlOk(['get', 'pods', '-l', `app=${name}`, '-o', 'name'])).stdout.split('\n')[0]!.replace(/^pod\//, '');
        const theirs = JSON.parse(await kubectlOk(v, ['get', 'pod', podName, '-o', 'json'])) as { metadata: Record<string, unknown> };
        const ours = JSON.parse((await podctlOk(['get', 'pod', podName, '-o', 'json'])).stdout) as unknown;
        // The API's pod carries the resourceVersion of its last change (serve observes pods for watches).
        const { resourceVersion, ...metadata } = theirs.metadata;
        assert.match(String(resourceVersion), /^\d+$/);
        assert.deepEqual({ ...theirs, metadata }, ours);
        const deployment = JSON.parse(await kubectlOk(v, ['get', 'deployment', name, '-o', 'json'])) as { kind: string; spec: { replicas: number } };
        assert.equal(deployment.kind, 'Deployment');
        assert.equal(deployment.spec.replicas, 2);
      });

      it('label and field selectors', async () => {
        assert.equal((await kubectlOk(v, ['get', 'pods', '-l', `app=${name},tier=web`, '-o', 'name'])).trim().split('\n').length, 2);
        assert.equal((await kubectlOk(v, ['get', 'pods', '-l', `app in (${name}),tier!=db`, '-o', 'name'])).trim().split('\n').length, 2);
        assert.equal((await kubectlOk(v, ['get', 'pods', '-l', `app=${name}`, '--field-selector', 'status.phase=Running', '-o', 'name'])).trim().split('\n').length, 2);
        const none = await kubectl(v, ['get', 'pods', '-l', `app=${name}`, '--field-selector', 'status.phase=Pending']);
        assert.equal(none.exitCode, 0);
        assert.equal(String(none.stderr).trim(), 'No resources found in default namespace.');
        assert.equal((await kubectlOk(v, ['get', 'deploy', '--field-selector', `metadata.name=${name}`, '-o', 'name'])).trim(), `deployment.apps/${name}`);
        const all = await kubectlOk(v, ['get', 'pods', '-A', '-l', `app=${name}`]);
        assert.match(all, /^NAMESPACE\s+NAME\s+READY/m);
      });

      it('a missing pod and an unknown resource fail as against a cluster', async () => {
        const missing = await kubectl(v, ['get', 'pod', 'x']);
        assert.equal(missing.exitCode, 1);
        assert.equal(String(missing.stderr).trim(), 'Error from server (NotFound): pods "x" not found');
        const deploy = await kubectl(v, ['get', 'deploy', 'x']);
        assert.equal(String(deploy.stderr).trim(), 'Error from server (NotFound): deployments.apps "x" not found');
        const unknown = await kubectl(v, ['get', 'nodes']);
        assert.equal(unknown.exitCode, 1);
        assert.match(String(unknown.stderr), /the server doesn't have a resource type "nodes"/);
      });

      it('a wrong token: 401 Unauthorized', async () => {
        // (With no credentials at all kubectl asks for a user name on stdin before it sends anything;
        // the raw request below shows the server's answer to that.)
        const config = parse(await readFile(kubeconfig, 'utf8')) as { users: Array<{ user: Record<string, unknown> }> };
        config.users[0]!.user = { token: 'wrong' };
        const other = join(work, `kubeconfig-wrong-${v}`);
        await writeFile(other, stringify(config));
        const r = await kubectl(v, ['get', 'pods'], other);
        assert.equal(r.exitCode, 1);
        assert.match(String(r.stderr), /\(Unauthorized\)/);
      });
    });
  }

  it('answers 401 as a Status without credentials, and serves a certificate for 127.0.0.1 and localhost', async () => {
    const ca = await readFile(join(API_DIR, 'ca.crt'), 'utf8');
    const answer = await new Promise<{ status: number; body: string; sans: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/v1/namespaces/default/pods', ca, servername: 'localhost' }, (res) => {
        const sans = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subjectaltname ?? '';
        let body = '';
        res.on('data', (d: Buffer) => (body += String(d)));
        res.on('end', () => resolve({ status: res.statusCode!, body, sans }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(answer.status, 401);
    assert.deepEqual(JSON.parse(answer.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    assert.match(answer.sans, /IP Address:127\.0\.0\.1/);
    assert.match(answer.sans, /DNS:localhost/);
  });

  it('a client certificate the CA signed is let in without a token', async () => {
    const ca = { cert: await readFile(join(API_DIR, 'ca.crt'), 'utf8'), key: await readFile(join(API_DIR, 'ca.key'), 'utf8') };
    const client = await issueCertificate(ca, { commonName: 'e2e', organizations: ['system:masters'] });
    const config = parse(await readFile(kubeconfig, 'utf8')) as { users: Array<{ user: Record<string, unknown> }> };
    config.users[0]!.user = { 'client-certificate-data': Buffer.from(client.cert).toString('base64'), 'client-key-data': Buffer.from(client.key).toString('base64') };
    const withCert = join(work, 'kubeconfig-cert');
    await writeFile(withCert, stringify(config));
    assert.equal((await kubectlOk('1.33', ['get', 'deploy', name, '-o', 'name'], withCert)).trim(), `deployment.apps/${name}`);
    // One from another CA is not.
    const stranger = await issueCertificate(await makeCa('stranger'), { commonName: 'e2e' });
    config.users[0]!.user = { 'client-certificate-data': Buffer.from(stranger.cert).toString('base64'), 'client-key-data': Buffer.from(stranger.key).toString('base64') };
    await writeFile(withCert, stringify(config));
    assert.match(String((await kubectl('1.33', ['get', 'pods'], withCert)).stderr), /\(Unauthorized\)/);
  });

  it('the Python client lists pods by label', async () => {
    const script = [
      'import sys',
      'from kubernetes import client, config',
      'config.load_kube_config(config_file=sys.argv[1])',
      'pods = client.CoreV1Api().list_namespaced_pod("default", label_selector="app=" + sys.argv[2])',
      'print("\\n".join(sorted(p.metadata.name + " " + p.status.phase for p in pods.items)))',
    ].join('\n');
    // Debian's python3-kubernetes, for Debian's Python (not another python3 earlier on PATH).
    const r = await execa('/usr/bin/python3', ['-c', script, kubeconfig, name], { reject: false, env: { HOME: home }, timeout: 60_000 });
    assert.equal(r.exitCode, 0, String(r.stderr));
    const ours = (await podctlOk(['get', 'pods', '-l', `app=${name}`, '-o', 'name'])).stdout.trim().split('\n').map((n) => `${n.replace(/^pod\//, '')} Running`).sort();
    assert.deepEqual(String(r.stdout).trim().split('\n'), ours);
  });

  it('kubeconfig --merge adds context podctl to $KUBECONFIG, keeps the other contexts and the current one, 0600', async () => {
    const file = join(work, 'merged', 'config');
    const other = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'prod', cluster: { server: 'https://prod.invalid:6443' } }], users: [{ name: 'prod', user: { token: 't' } }], contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'prod' } }], 'current-context': 'prod' };
    await mkdir(join(work, 'merged'));
    await writeFile(file, stringify(other), { mode: 0o644 });
    await podctlOk(['kubeconfig', '--merge'], { env: { KUBECONFIG: `${file}:/nonexistent` } });
    const merged = parse(await readFile(file, 'utf8')) as typeof other;
    assert.deepEqual(merged.contexts.map((c) => c.name), ['prod', 'podctl']);
    assert.equal(merged['current-context'], 'prod');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await kubectlOk('1.33', ['--context', 'podctl', 'get', 'deploy', name, '-o', 'name'], file)).trim(), `deployment.apps/${name}`);
  });
});
