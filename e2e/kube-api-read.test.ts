import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { podsWith } from './harness/kube.js';
import { eventually, execInPod, podctl, podctlOk, uniqueName } from './harness/run.js';
import { stopServe, type Serve } from './harness/serve.js';
import { kubectlPath, runKubectl, serveWithApi } from './harness/kube-api.js';

// The read side of `podctl serve`'s API beyond get and list, driven by real clients: the
// oldest and the newest kubectl installed (by path) and Debian's Python client. Logs (tail,
// -c, follow to the container's end, --previous after a restart in place), events (core and
// events.k8s.io, `kubectl events`, describe), chunked lists, EndpointSlices, ServiceAccounts.
const KUBECTLS = ['1.27', '1.33'];

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-read-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the API read side with kubectl and the Python client', () => {
  const name = uniqueName('pct-rd');
  const crash = `${name}-crash`;
  const follow = `${name}-follow`;
  let serve: Serve | undefined;
  let kubeconfig: string;
  let home: string;
  let manifest: string;
  let extra: string;
  let pod: string;
  let crashPod: string;
  let followPod: string;

  const kubectl = (version: string, args: string[]) =>
    runKubectl(kubectlPath(version), kubeconfig, args, { home: join(home, version) });
  const kubectlOk = async (version: string, args: string[]) => {
    const r = await kubectl(version, args);
    assert.equal(r.exitCode, 0, `kubectl.${version} ${args.join(' ')}: ${String(r.stderr)}`);
    return String(r.stdout);
  };
  const python = async (lines: string[]) => {
    const script = ['import sys, json', 'from kubernetes import client, config', 'config.load_kube_config(config_file=sys.argv[1])', ...lines].join('\n');
    const r = await execa('/usr/bin/python3', ['-c', script, kubeconfig, name, pod], { reject: false, env: { HOME: home }, timeout: 60_000 });
    assert.equal(r.exitCode, 0, String(r.stderr));
    return String(r.stdout);
  };

  before(async () => {
    home = join(work, 'home');
    manifest = join(work, 'app.yaml');
    extra = join(work, 'extra.yaml');
    // Two containers that print numbered lines, and a Service in front of them.
    await writeFile(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, labels: { app: ${name} } }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: busybox
          command: [sh, -c, 'for i in 1 2 3 4 5; do echo web line $i; done; exec sleep 3600']
        - name: side
          image: busybox
          command: [sh, -c, 'echo side says hi; exec sleep 3600']
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, labels: { app: ${name} } }
spec:
  selector: { app: ${name} }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
`,
    );
    // A container that fails once and then runs (serve restarts it in place: the file it left
    // in /tmp is still there), and one that runs until told to end.
    await writeFile(
      extra,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${crash} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${crash} } }
  template:
    metadata: { labels: { app: ${crash} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: once
          image: busybox
          command: [sh, -c, 'if [ -e /tmp/ran ]; then echo second run; exec sleep 3600; fi; touch /tmp/ran; echo first run; exit 3']
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${follow} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${follow} } }
  template:
    metadata: { labels: { app: ${follow} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: talker
          image: busybox
          command: [sh, -c, 'echo before; while [ ! -e /tmp/stop ]; do sleep 0.1; done; echo after']
`,
    );
    ({ serve, kubeconfig } = await serveWithApi(work, manifest));
    await podctlOk(['apply', '-f', extra]);
    pod = (await podsWith(`app=${name}`))[0]!.metadata.name;
    // Restarted once and running again.
    crashPod = await eventually(async () => {
      const [p] = await podsWith(`app=${crash}`);
      const status = p?.status?.containerStatuses?.[0] as { restartCount?: number; state?: { running?: unknown } } | undefined;
      assert.ok(p && (status?.restartCount ?? 0) >= 1 && status?.state?.running, 'the crashing container restarted once and runs');
      return p.metadata.name;
    }, 60_000);
    followPod = await eventually(async () => {
      const [p] = await podsWith(`app=${follow}`);
      assert.equal(p?.status?.phase, 'Running');
      return p.metadata.name;
    }, 30_000);
  });

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    await podctl(['delete', 'configmap', `${name}-strict`, '--ignore-not-found']);
    await podctl(['delete', '-f', extra, '--ignore-not-found']);
    await podctl(['delete', '-f', manifest, '--ignore-not-found']);
    await leaks.assertClean();
  });

  for (const v of KUBECTLS) {
    describe(`kubectl ${v}`, () => {
      it('logs: -c, --tail, the default container of several, deploy/NAME', async () => {
        const all = ['web line 1', 'web line 2', 'web line 3', 'web line 4', 'web line 5'];
        assert.deepEqual((await kubectlOk(v, ['logs', pod, '-c', 'web'])).split('\n'), all);
        assert.deepEqual((await kubectlOk(v, ['logs', pod, '-c', 'web', '--tail', '2'])).split('\n'), all.slice(3));
        assert.equal((await kubectlOk(v, ['logs', pod, '-c', 'side'])).trim(), 'side says hi');
        // kubectl picks the first container of a pod of several itself and says so.
        const r = await kubectl(v, ['logs', pod]);
        assert.equal(r.exitCode, 0, String(r.stderr));
        assert.deepEqual(String(r.stdout).split('\n'), all);
        assert.match(String(r.stderr), /Defaulted container "web" out of: web, side/);
        // kubectl finds the Deployment's pods by its selector.
        assert.deepEqual((await kubectlOk(v, ['logs', `deploy/${name}`, '-c', 'web', '--tail', '1'])).split('\n'), ['web line 5']);
        const stamped = (await kubectlOk(v, ['logs', pod, '-c', 'web', '--timestamps', '--tail', '1'])).trim();
        assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z web line 5$/);
        assert.equal(await kubectlOk(v, ['logs', pod, '-c', 'web', '--limit-bytes', '8']), 'web line');
        assert.deepEqual((await kubectlOk(v, ['logs', pod, '-c', 'web', '--since', '1h'])).split('\n'), all);
        assert.equal(await kubectlOk(v, ['logs', pod, '-c', 'web', '--since-time', '2099-01-01T00:00:00Z']), '');
      });

      it('logs --previous: the run before the restart; the current one without it', async () => {
        assert.equal((await kubectlOk(v, ['logs', crashPod, '--previous'])).trim(), 'first run');
        assert.equal((await kubectlOk(v, ['logs', crashPod])).trim(), 'second run');
        const none = await kubectl(v, ['logs', pod, '-c', 'web', '--previous']);
        assert.equal(none.exitCode, 1);
        assert.equal(String(none.stderr).trim(), `Error from server (BadRequest): previous terminated container "web" in pod "${pod}" not found`);
        // kubectl refuses an unknown container itself, from the pod it read (the server's refusal: the Python test).
        const unknown = await kubectl(v, ['logs', pod, '-c', 'nope']);
        assert.equal(String(unknown.stderr).trim(), `error: container nope is not valid for pod ${pod}`);
        const missing = await kubectl(v, ['logs', `${name}-nosuch`]);
        // kubectl reads the pod first; 1.33 words the server's NotFound its own way.
        assert.match(String(missing.stderr).trim(), new RegExp(`^(Error|error: error) from server \\(NotFound\\): pods "${name}-nosuch" not found`));
      });

      it('events: get events with its columns, kubectl events --for, describe', async () => {
        const table = await kubectlOk(v, ['get', 'events']);
        assert.match(table, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
        assert.match(table, new RegExp(`^\\S+\\s+Normal\\s+ScalingReplicaSet\\s+deployment/${name}\\s+`, 'm'));
        const wide = await kubectlOk(v, ['get', 'events', '-o', 'wide', '--field-selector', `involvedObject.name=${name}`]);
        assert.match(wide, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+SUBOBJECT\s+SOURCE\s+MESSAGE\s+FIRST SEEN\s+COUNT\s+NAME$/m);
        assert.match(wide, /deployment-controller/);
        const events = await kubectlOk(v, ['events', '--for', `deployment/${name}`]);
        assert.match(events, new RegExp(`Normal\\s+ScalingReplicaSet\\s+Deployment/${name}\\s+`));
        assert.doesNotMatch(events, new RegExp(`Deployment/${crash}`), 'only the events of the object asked for');
        const described = await kubectlOk(v, ['describe', 'deployment', name]);
        assert.match(described, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/m);
        assert.match(described, /Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+/);
      });

      it('get --chunk-size: pages of one, the same rows as one list', async () => {
        const whole = await kubectlOk(v, ['get', 'pods', '-o', 'name']);
        assert.ok(whole.trim().split('\n').length >= 3);
        const r = await kubectl(v, ['get', 'pods', '-o', 'name', '--chunk-size', '1', '-v=6']);
        assert.equal(r.exitCode, 0, String(r.stderr));
        assert.equal(String(r.stdout), whole);
        const pages = String(r.stderr).match(/GET"? (?:url=")?https:\S+\/pods\?[^"\s]*limit=1/g) ?? [];
        assert.equal(pages.length, whole.trim().split('\n').length, 'one request per pod');
        assert.equal(pages.filter((p) => p.includes('continue=')).length, pages.length - 1);
        const table = await kubectlOk(v, ['get', 'pods', '--chunk-size', '1']);
        assert.equal(table.trim().split('\n').filter((l) => l.startsWith('NAME')).length, 1, 'one header for all pages');
      });

      it('explain: the fields and descriptions of the served OpenAPI (v2 for 1.27, v3 for 1.33)', async () => {
        const strategy = await kubectlOk(v, ['explain', 'deployment.spec.strategy']);
        assert.match(strategy, /^FIELD: strategy <DeploymentStrategy>$/m);
        assert.match(strategy, /^\s+rollingUpdate\s+<RollingUpdateDeployment>$/m);
        assert.match(strategy, /Type of deployment\. Can be "Recreate" or "RollingUpdate"/);
        const recursive = await kubectlOk(v, ['explain', 'pods', '--recursive']);
        assert.match(recursive, /^KIND:\s+Pod$/m);
        assert.match(recursive, /^\s+livenessProbe\s+<Probe>$/m);
        assert.match(recursive, /^\s+containers\s+<\[\]Container> -required-$/m);
      });

      it('apply --validate=strict|warn: kubectl leaves the check to the server (fieldValidation), which finds the unknown field', async () => {
        const file = join(work, `strict-${v}.yaml`);
        await writeFile(file, `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}-strict }\ndata: { a: b }\nbogus: 1\n`);
        const strict = await kubectl(v, ['apply', '--validate=strict', '-f', file, '-v=6']);
        // A create (POST) or, once the other kubectl made it, a patch (PATCH): both ask the server to validate.
        assert.match(String(strict.stderr), /(?:POST|PATCH)"? (?:url=")?https:\S+\/configmaps(?:\/\S+)?\?\S*fieldValidation=Strict/);
        assert.notEqual(strict.exitCode, 0);
        assert.match(String(strict.stderr), /ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"/);
        const warn = await kubectl(v, ['apply', '--validate=warn', '-f', file]);
        assert.equal(warn.exitCode, 0, String(warn.stderr));
        assert.match(String(warn.stderr), /^Warning: unknown field "bogus"$/m);
        assert.equal(await kubectlOk(v, ['get', 'configmap', `${name}-strict`, '-o', 'jsonpath={.data.a}']), 'b');
      });

      it('endpointslices and serviceaccounts', async () => {
        const podIP = (await podsWith(`app=${name}`))[0]!.status!.podIP!;
        const slices = await kubectlOk(v, ['get', 'endpointslices', '-l', `kubernetes.io/service-name=${name}`]);
        assert.match(slices, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/m);
        assert.match(slices, new RegExp(`^${name}-[0-9a-f]{5}\\s+IPv4\\s+8080\\s+${podIP.replace(/\./g, '\\.')}\\s+\\S+$`, 'm'));
        const accounts = await kubectlOk(v, ['get', 'sa']);
        assert.match(accounts, /^NAME\s+SECRETS\s+AGE$/m);
        assert.match(accounts, /^default\s+0\s+/m);
        assert.equal(await kubectlOk(v, ['get', 'serviceaccount', 'default', '-o', 'jsonpath={.metadata.namespace}/{.metadata.name}']), 'default/default');
      });
    });
  }

  it('logs -f follows until the container ends', async () => {
    const child = execa(kubectlPath('1.33'), ['--kubeconfig', kubeconfig, 'logs', '-f', followPod], { reject: false, env: { HOME: join(home, '1.33'), PATH: process.env.PATH ?? '' }, extendEnv: false, stdin: 'ignore', timeout: 60_000 });
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        seen += String(d);
        if (seen.includes('before\n')) resolve();
      });
      child.once('exit', () => reject(new Error(`kubectl logs -f ended before the container did: ${seen}`)));
    });
    assert.equal((await execInPod(followPod, ['touch', '/tmp/stop'])).exitCode, 0);
    const r = await child;
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.equal(String(r.stdout), 'before\nafter');
  });

  it('the Python client: logs, events of both groups by field, slices, accounts, pages, refusals', async () => {
    const out = await python([
      'name, pod = sys.argv[2], sys.argv[3]',
      'core = client.CoreV1Api()',
      'print(json.dumps(core.read_namespaced_pod_log(pod, "default", container="web", tail_lines=2)))',
      'try:',
      '    core.read_namespaced_pod_log(pod, "default")',
      'except client.ApiException as e:',
      '    print(e.status, json.loads(e.body)["message"])',
      'try:',
      '    core.read_namespaced_pod_log(pod, "default", container="nope")',
      'except client.ApiException as e:',
      '    print(e.status, json.loads(e.body)["message"])',
      'ev = core.list_namespaced_event("default", field_selector="involvedObject.kind=Deployment,involvedObject.name=" + name)',
      'print(sorted(set(e.reason for e in ev.items)))',
      'ev1 = client.EventsV1Api().list_namespaced_event("default", field_selector="regarding.name=" + name)',
      'print(sorted(set(e.reason + "/" + e.regarding.kind for e in ev1.items)))',
      'sl = client.DiscoveryV1Api().list_namespaced_endpoint_slice("default", label_selector="kubernetes.io/service-name=" + name)',
      'print(len(sl.items), sl.items[0].endpoints[0].target_ref.name == pod, sl.items[0].ports[0].port)',
      'print([a.metadata.name for a in core.list_namespaced_service_account("default").items])',
      'first = core.list_namespaced_pod("default", limit=1)',
      'rest = core.list_namespaced_pod("default", limit=100, _continue=first.metadata._continue)',
      'every = core.list_namespaced_pod("default")',
      'print([p.metadata.name for p in first.items + rest.items] == [p.metadata.name for p in every.items], first.metadata.remaining_item_count == len(every.items) - 1)',
      'try:',
      '    core.list_namespaced_pod("default", limit=1, _continue="not-a-token")',
      'except client.ApiException as e:',
      '    print(e.status, json.loads(e.body)["reason"])',
    ]);
    const lines = out.trim().split('\n');
    assert.equal(lines[0], JSON.stringify('web line 4\nweb line 5\n'));
    assert.equal(lines[1], `400 a container name must be specified for pod ${pod}, choose one of: [web side]`);
    assert.equal(lines[2], `400 container nope is not valid for pod ${pod}`);
    assert.match(lines[3]!, /'ScalingReplicaSet'/);
    assert.match(lines[4]!, /'ScalingReplicaSet\/Deployment'/);
    assert.equal(lines[5], '1 True 8080');
    assert.equal(lines[6], "['default']");
    assert.equal(lines[7], 'True True');
    assert.equal(lines[8], '400 BadRequest');
  });
});
