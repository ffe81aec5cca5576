import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk, uniqueName } from './harness/run.js';
import { sleep, startServe, stopServe, type Serve } from './harness/serve.js';
import { freePort, kubectlPath, runKubectl } from './harness/kube-api.js';

// The API's writes driven by real clients: the oldest and the newest kubectl installed and the
// Python client change state through `podctl serve`, and podctl's own commands see it (and
// serve's controllers make the pods). Each kubectl version works on objects of its own.
const KUBECTLS = ['1.27', '1.33'];

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-write-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('kubectl and the Python client write through podctl serve', () => {
  let serve: Serve | undefined;
  let kubeconfig: string;
  let home: string;
  const made: Array<{ file?: string; args?: string[] }> = [];

  const kubectl = (version: string, args: string[], input?: string) =>
    runKubectl(kubectlPath(version), kubeconfig, args, { home, ...(input !== undefined ? { input } : {}) });
  const kubectlOk = async (version: string, args: string[], input?: string) => {
    const r = await kubectl(version, args, input);
    assert.equal(r.exitCode, 0, `kubectl.${version} ${args.join(' ')}: ${String(r.stderr)}`);
    return String(r.stdout);
  };
  const json = async <T>(version: string, args: string[]) => JSON.parse(await kubectlOk(version, [...args, '-o', 'json'])) as T;
  /** Until `check` passes (serve's controllers converge in their own time), or fail with its last answer. */
  const eventually = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 120; i++) {
      if (await check()) return;
      await sleep(500);
    }
    assert.fail(`${what}: not reached in 60 s`);
  };
  type PodList = { items: Array<{ spec: { containers: Array<{ image: string; env?: Array<{ name: string; value: string }> }> }; status: { phase: string } }> };
  /** The app's pods as podctl shows them; none while one is between its container and its checkpoint (podctl get refuses such a pod). */
  const podsOf = async (app: string): Promise<PodList> => {
    const r = await podctl(['get', 'pods', '-l', `app=${app}`, '-o', 'json']);
    return r.exitCode === 0 ? (JSON.parse(r.stdout) as PodList) : { items: [] };
  };
  const podctlJson = async <T>(args: string[]) => JSON.parse((await podctlOk([...args, '-o', 'json'])).stdout) as T;

  before(async () => {
    home = join(work, 'home');
    const port = await freePort();
    serve = await startServe(['--listen', `127.0.0.1:${port}`]);
    kubeconfig = join(work, 'kubeconfig');
    await writeFile(kubeconfig, (await podctlOk(['kubeconfig'])).stdout);
  });

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    // Whatever a failed test left: removed with podctl itself.
    for (const m of made.reverse()) {
      if (m.file) await podctl(['delete', '-f', m.file, '--ignore-not-found']);
      if (m.args) await podctl(['delete', ...m.args, '--ignore-not-found']);
    }
    await leaks.assertClean();
  });

  for (const v of KUBECTLS) {
    describe(`kubectl ${v}`, () => {
      const app = uniqueName(`pct-w${v.replace('.', '')}`);
      const file = () => join(work, `${app}.yaml`);
      const manifest = (opts: { data: string; env: string; image?: string }) => `apiVersion: v1
kind: ConfigMap
metadata: { name: ${app} }
data: { ${opts.data} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${app}, labels: { app: ${app} } }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${app} } }
  template:
    metadata: { labels: { app: ${app} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: ${opts.image ?? 'nginx'}
          env: [${opts.env}]
---
apiVersion: v1
kind: Service
metadata: { name: ${app} }
spec:
  selector: { app: ${app} }
  ports: [{ port: 80 }]
`;
      const applyLines = async (text: string) => {
        await writeFile(file(), text);
        return (await kubectlOk(v, ['apply', '-f', file()])).trim().split('\n').sort();
      };

      it('apply -f: created; again: unchanged; changed: configured; a field removed by re-apply is gone; the pods follow', async () => {
        made.push({ file: file() });
        const first = { data: 'a: "1", b: "2"', env: '{ name: A, value: "1" }, { name: B, value: "2" }' };
        assert.deepEqual(await applyLines(manifest(first)), [`configmap/${app} created`, `deployment.apps/${app} created`, `service/${app} created`]);
        assert.deepEqual(await applyLines(manifest(first)), [`configmap/${app} unchanged`, `deployment.apps/${app} unchanged`, `service/${app} unchanged`]);
        // podctl sees what kubectl made, and serve's controllers made the pod.
        assert.match((await podctlOk(['get', 'deployment', app])).stdout, new RegExp(`^${app}\\s`, 'm'));
        assert.match((await podctlOk(['get', 'service', app])).stdout, new RegExp(`^${app}\\s`, 'm'));
        await eventually('a running pod', async () => (await podsOf(app)).items.some((p) => p.status.phase === 'Running'));

        assert.deepEqual(await applyLines(manifest({ data: 'a: "1", b: "3"', env: first.env })), [`configmap/${app} configured`, `deployment.apps/${app} unchanged`, `service/${app} unchanged`]);
        // B leaves the manifest: kubectl's three-way patch deletes it by its merge key (name),
        // with the directives the strategic merge applies (-v=8 logs the request bodies).
        await writeFile(file(), manifest({ data: 'a: "1"', env: '{ name: A, value: "1" }' }));
        const removal = await kubectl(v, ['apply', '-f', file(), '-v=8']);
        assert.equal(removal.exitCode, 0, String(removal.stderr));
        assert.deepEqual(String(removal.stdout).trim().split('\n').sort(), [`configmap/${app} configured`, `deployment.apps/${app} configured`, `service/${app} unchanged`]);
        assert.match(String(removal.stderr), /\$setElementOrder\/env/);
        assert.match(String(removal.stderr), /\\?"\$patch\\?":\\?"delete\\?",\\?"name\\?":\\?"B\\?"/);
        const cm = await json<{ data: Record<string, string> }>(v, ['get', 'configmap', app]);
        assert.deepEqual(cm.data, { a: '1' });
        const d = await json<{ spec: { template: { spec: { containers: Array<{ env: unknown }> } } } }>(v, ['get', 'deployment', app]);
        assert.deepEqual(d.spec.template.spec.containers[0]!.env, [{ name: 'A', value: '1' }]);
        await eventually('the pod without B', async () => {
          const pods = (await podsOf(app)).items;
          return pods.length === 1 && pods[0]!.status.phase === 'Running' && JSON.stringify(pods[0]!.spec.containers[0]!.env ?? []) === JSON.stringify([{ name: 'A', value: '1' }]);
        });
      });

      it('set image rolls the Deployment; set env, label, annotate, scale', async () => {
        await kubectlOk(v, ['set', 'image', `deployment/${app}`, 'web=nginx:latest']);
        await eventually('the pod of the new image', async () => {
          const pods = (await podsOf(app)).items;
          return pods.length === 1 && pods[0]!.spec.containers[0]!.image === 'nginx:latest' && pods[0]!.status.phase === 'Running';
        });
        await kubectlOk(v, ['set', 'env', `deployment/${app}`, 'FOO=bar']);
        await eventually('the pod with FOO', async () => (await podsOf(app)).items.some((p) => p.spec.containers[0]!.env?.some((e) => e.name === 'FOO' && e.value === 'bar')));
        await kubectlOk(v, ['label', 'deployment', app, 'tier=web']);
        await kubectlOk(v, ['annotate', 'service', app, 'note=from kubectl']);
        await kubectlOk(v, ['annotate', 'configmap', app, 'note=cm']);
        assert.equal((await json<{ metadata: { labels: Record<string, string> } }>(v, ['get', 'deployment', app])).metadata.labels.tier, 'web');
        assert.equal((await json<{ metadata: { annotations: Record<string, string> } }>(v, ['get', 'service', app])).metadata.annotations.note, 'from kubectl');
        assert.equal((await json<{ metadata: { annotations: Record<string, string> } }>(v, ['get', 'configmap', app])).metadata.annotations.note, 'cm');
        assert.equal((await kubectlOk(v, ['scale', 'deployment', app, '--replicas=2'])).trim(), `deployment.apps/${app} scaled`);
        assert.equal(await kubectlOk(v, ['get', 'deployment', app, '-o', 'jsonpath={.spec.replicas}']), '2');
        await eventually('two pods', async () => (await podsOf(app)).items.filter((p) => p.status.phase === 'Running').length === 2);
        assert.equal((await podctlJson<{ spec: { replicas: number } }>(['get', 'deployment', app])).spec.replicas, 2);
      });

      it('patch --type json, merge and strategic', async () => {
        await kubectlOk(v, ['patch', 'configmap', app, '--type', 'merge', '-p', '{"data":{"c":"3"}}']);
        await kubectlOk(v, ['patch', 'configmap', app, '--type', 'json', '-p', '[{"op":"remove","path":"/data/a"},{"op":"add","path":"/data/d","value":"4"}]']);
        assert.deepEqual((await json<{ data: Record<string, string> }>(v, ['get', 'configmap', app])).data, { c: '3', d: '4' });
        // A strategic patch merges the container named web instead of replacing the list.
        await kubectlOk(v, ['patch', 'deployment', app, '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"2"}]}]}}}}']);
        const c = (await json<{ spec: { template: { spec: { containers: Array<{ name: string; image: string; env: Array<{ name: string; value: string }> }> } } } }>(v, ['get', 'deployment', app])).spec.template.spec.containers;
        assert.equal(c.length, 1);
        assert.equal(c[0]!.image, 'nginx:latest');
        assert.deepEqual(c[0]!.env.find((e) => e.name === 'A'), { name: 'A', value: '2' });
        assert.ok(c[0]!.env.some((e) => e.name === 'FOO'), 'the other variables stay');
        const bad = await kubectl(v, ['patch', 'configmap', app, '--type', 'json', '-p', '[{"op":"remove","path":"/data/nothing"}]']);
        assert.equal(bad.exitCode, 1);
        assert.equal(String(bad.stderr).trim(), 'Error from server (BadRequest): the patch cannot be applied: operation 0: Cannot perform the operation at a path that does not exist');
      });

      it('replace: the object back with a change; a stale resourceVersion is a Conflict', async () => {
        const cm = await json<{ metadata: Record<string, unknown>; data: Record<string, string> }>(v, ['get', 'configmap', app]);
        cm.data.e = '5';
        assert.equal((await kubectlOk(v, ['replace', '-f', '-'], JSON.stringify(cm))).trim(), `configmap/${app} replaced`);
        assert.equal((await json<{ data: Record<string, string> }>(v, ['get', 'configmap', app])).data.e, '5');
        // The same body again carries the resourceVersion that was current before the replace.
        const stale = await kubectl(v, ['replace', '-f', '-'], JSON.stringify(cm));
        assert.equal(stale.exitCode, 1);
        assert.match(String(stale.stderr), new RegExp(`Error from server \\(Conflict\\).*Operation cannot be fulfilled on configmaps "${app}": the object has been modified`));
      });

      it('create deployment|service|configmap|secret; a name taken is AlreadyExists; an invalid name is Invalid', async () => {
        const name = `${app}-c`;
        made.push({ args: ['deployment', name] }, { args: ['service', name] }, { args: ['configmap', name] }, { args: ['secret', name] });
        // kubectl 1.31+ sends these typed creates as protobuf, which podctl reads for ConfigMaps
        // and Secrets only: the Deployment and the Service go as JSON through `create -f`
        // (kubectl's generic path), and the direct form gets the API server's 415 with what to do.
        const typed = (args: string[]) => v === '1.27' || args[0] === 'configmap' || args[0] === 'secret';
        const create = async (args: string[]) => {
          if (typed(args)) return (await kubectlOk(v, ['create', ...args])).trim();
          const object = await kubectlOk(v, ['create', ...args, '--dry-run=client', '-o', 'json']);
          return (await kubectlOk(v, ['create', '-f', '-'], object)).trim();
        };
        assert.equal(await create(['deployment', name, '--image=nginx']), `deployment.apps/${name} created`);
        assert.equal(await create(['service', 'clusterip', name, '--tcp=80:80']), `service/${name} created`);
        assert.equal(await create(['configmap', name, '--from-literal=k=v']), `configmap/${name} created`);
        assert.equal(await create(['secret', 'generic', name, '--from-literal=p=secret']), `secret/${name} created`);
        if (v !== '1.27') {
          const proto = await kubectl(v, ['create', 'deployment', `${name}-p`, '--image=nginx']);
          assert.equal(proto.exitCode, 1);
          assert.match(String(proto.stderr), /the body of the request was in an unknown format - accepted media types include: application\/json, application\/yaml \(podctl reads protobuf bodies of Secret, ConfigMap, DeleteOptions only, not of Deployment/);
        }
        assert.equal((await podctlJson<{ data: Record<string, string> }>(['get', 'configmap', name])).data.k, 'v');
        assert.equal(Buffer.from((await podctlJson<{ data: Record<string, string> }>(['get', 'secret', name])).data.p!, 'base64').toString(), 'secret');
        await eventually('the created deployment runs a pod', async () => (await podsOf(name)).items.some((p) => p.status.phase === 'Running'));
        const cm = (n: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n }, data: { k: 'v' } });
        const again = await kubectl(v, ['create', '-f', '-'], cm(name));
        assert.equal(String(again.stderr).trim(), `Error from server (AlreadyExists): error when creating "STDIN": configmaps "${name}" already exists`);
        const invalid = await kubectl(v, ['create', '-f', '-'], cm('Bad_Name'));
        assert.equal(invalid.exitCode, 1);
        assert.match(String(invalid.stderr), /ConfigMap "Bad_Name" is invalid: metadata\.name: /);
        for (const kind of ['deployment', 'service', 'configmap', 'secret']) await kubectlOk(v, ['delete', kind, name]);
        assert.equal((await podctl(['get', 'configmap', name])).exitCode, 1);
      });

      it('delete -f returns once everything is gone: records, service, pods', async () => {
        const out = (await kubectlOk(v, ['delete', '-f', file()])).trim().split('\n').sort();
        assert.deepEqual(out, [`configmap "${app}" deleted`, `deployment.apps "${app}" deleted`, `service "${app}" deleted`]);
        assert.equal((await podctlOk(['get', 'pods', '-l', `app=${app}`, '-o', 'name'])).stdout.trim(), '');
        assert.equal((await podctl(['get', 'deployment', app])).exitCode, 1);
        assert.equal((await podctl(['get', 'service', app])).exitCode, 1);
      });
    });
  }

  it('dryRun=All answers without writing; deletecollection by label; a resourceVersion on create is refused', async () => {
    const name = uniqueName('pct-wdry');
    made.push({ args: ['configmap', `${name}-1`] }, { args: ['configmap', `${name}-2`] }, { args: ['configmap', `${name}-3`] });
    const object = (n: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n }, data: { k: 'v' } });
    assert.equal((await kubectlOk('1.33', ['create', '-f', '-', '--dry-run=server'], object(name))).trim(), `configmap/${name} created (server dry run)`);
    assert.equal((await podctl(['get', 'configmap', name])).exitCode, 1, 'nothing was written');
    // A field podctl cannot honour comes back as a Warning header, which kubectl prints.
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { minReadySeconds: 5, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } };
    const warned = await kubectl('1.33', ['create', '-f', '-', '--dry-run=server'], JSON.stringify(deployment));
    assert.equal(String(warned.stdout).trim(), `deployment.apps/${name} created (server dry run)`);
    assert.match(String(warned.stderr), /^Warning: deployment \S+: fields podctl cannot honour \(ignored\): spec\.minReadySeconds$/m);
    assert.equal((await podctl(['get', 'deployment', name])).exitCode, 1, 'nothing was written');
    for (const n of [1, 2]) await kubectlOk('1.33', ['create', '-f', '-'], object(`${name}-${n}`));
    await kubectlOk('1.33', ['label', 'configmap', `${name}-1`, `${name}-2`, 'batch=dry']);
    // kubectl deletes one by one; a client library's deletecollection takes them in one request.
    // (kubectl create -f clears a resourceVersion before it sends the object; the Python client does not.)
    const script = [
      'import sys',
      'from kubernetes import client, config',
      'from kubernetes.client.rest import ApiException',
      'config.load_kube_config(config_file=sys.argv[1])',
      'api = client.CoreV1Api()',
      'api.delete_collection_namespaced_config_map("default", label_selector="batch=dry")',
      'print(len(api.list_namespaced_config_map("default", label_selector="batch=dry").items))',
      'try:',
      '    api.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name=sys.argv[2], resource_version="12")))',
      'except ApiException as e:',
      '    print(e.status, e.body)',
    ].join('\n');
    const r = await execa('/usr/bin/python3', ['-c', script, kubeconfig, `${name}-3`], { reject: false, env: { HOME: home }, timeout: 60_000 });
    assert.equal(r.exitCode, 0, String(r.stderr));
    const [left, refused] = String(r.stdout).trim().split('\n');
    assert.equal(left, '0');
    assert.match(refused!, /^500 .*resourceVersion should not be set on objects to be created/);
    assert.equal((await podctl(['get', 'configmap', `${name}-3`])).exitCode, 1);
  });

  it('the Python client creates, updates (a stale one: 409) and deletes a ConfigMap', async () => {
    const name = uniqueName('pct-wpy');
    made.push({ args: ['configmap', name] });
    const script = [
      'import sys',
      'from kubernetes import client, config',
      'from kubernetes.client.rest import ApiException',
      'config.load_kube_config(config_file=sys.argv[1])',
      'api = client.CoreV1Api()',
      'name = sys.argv[2]',
      'made = api.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data={"k": "1"}))',
      'print("created", made.metadata.name, made.data["k"])',
      'made.data["k"] = "2"',
      'updated = api.replace_namespaced_config_map(name, "default", made)',
      'print("updated", updated.data["k"], updated.metadata.resource_version != made.metadata.resource_version)',
      'made.data["k"] = "3"',
      'try:',
      '    api.replace_namespaced_config_map(name, "default", made)',
      'except ApiException as e:',
      '    print("stale", e.status, e.reason)',
      'api.delete_namespaced_config_map(name, "default")',
      'try:',
      '    api.read_namespaced_config_map(name, "default")',
      'except ApiException as e:',
      '    print("gone", e.status)',
    ].join('\n');
    const r = await execa('/usr/bin/python3', ['-c', script, kubeconfig, name], { reject: false, env: { HOME: home }, timeout: 60_000 });
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.deepEqual(String(r.stdout).trim().split('\n'), [`created ${name} 1`, 'updated 2 True', 'stale 409 Conflict', 'gone 404']);
    assert.equal((await podctl(['get', 'configmap', name])).exitCode, 1);
  });

  it('two updates from the same read: the second is a 409 Conflict, for a Pod, a Service, a ConfigMap and a Deployment; a stale patch too; a fresh read updates', async () => {
    const name = uniqueName('pct-wrv');
    made.push({ args: ['pod', name] }, { args: ['service', name] }, { args: ['configmap', name] }, { args: ['deployment', name] });
    // The Python client's read-modify-write, as an operator or a controller does it.
    const script = [
      'import sys, json, threading, copy',
      'from kubernetes import client, config',
      'from kubernetes.client.rest import ApiException',
      'config.load_kube_config(config_file=sys.argv[1])',
      'name, ns = sys.argv[2], "default"',
      'core, apps = client.CoreV1Api(), client.AppsV1Api()',
      'labels = {"app": name}',
      'pod_spec = {"terminationGracePeriodSeconds": 1, "containers": [{"name": "web", "image": "nginx"}]}',
      'core.create_namespaced_pod(ns, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels}, "spec": pod_spec})',
      'core.create_namespaced_service(ns, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": {"selector": labels, "ports": [{"port": 80}]}})',
      'core.create_namespaced_config_map(ns, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "1"}})',
      'apps.create_namespaced_deployment(ns, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name + "-d"}}, "template": {"metadata": {"labels": {"app": name + "-d"}}, "spec": pod_spec}}})',
      'kinds = [("pod", core.read_namespaced_pod, core.replace_namespaced_pod, core.patch_namespaced_pod), ("service", core.read_namespaced_service, core.replace_namespaced_service, core.patch_namespaced_service), ("configmap", core.read_namespaced_config_map, core.replace_namespaced_config_map, core.patch_namespaced_config_map), ("deployment", apps.read_namespaced_deployment, apps.replace_namespaced_deployment, apps.patch_namespaced_deployment)]',
      'def labelled(obj, step):',
      '    obj.metadata.labels = {**(obj.metadata.labels or {}), "step": step}',
      '    return obj',
      'def refused(fn):',
      '    try:',
      '        fn()',
      '        return "written"',
      '    except ApiException as e:',
      '        body = json.loads(e.body)',
      '        return " ".join([str(e.status), body["reason"], body["details"]["kind"], body["details"]["name"] == name and "name" or "?", body["message"]])',
      'for kind, read, replace, patch in kinds:',
      '    stale = read(name, ns)',
      '    first = replace(name, ns, labelled(read(name, ns), "first"))',
      '    print(kind, "first", first.metadata.labels["step"], first.metadata.resource_version != stale.metadata.resource_version)',
      '    print(kind, "second", refused(lambda: replace(name, ns, labelled(stale, "second"))))',
      '    print(kind, "patch", refused(lambda: patch(name, ns, {"metadata": {"resourceVersion": stale.metadata.resource_version, "labels": {"step": "patched"}}})))',
      '    fresh = replace(name, ns, labelled(read(name, ns), "fresh"))',
      '    print(kind, "fresh", fresh.metadata.labels["step"], read(name, ns).metadata.labels["step"])',
      // Two clients at once from one read: exactly one of them writes.
      'read_once = core.read_namespaced_config_map(name, ns)',
      'outcomes = []',
      'def race(step):',
      '    outcomes.append(refused(lambda: core.replace_namespaced_config_map(name, ns, labelled(copy.deepcopy(read_once), step))).split(" ")[0])',
      'threads = [threading.Thread(target=race, args=(s,)) for s in ("a", "b")]',
      '[t.start() for t in threads]',
      '[t.join() for t in threads]',
      'print("race", " ".join(sorted(outcomes)))',
      // Without a resourceVersion an update is unconditional.
      'blind = core.read_namespaced_config_map(name, ns)',
      'blind.metadata.resource_version = None',
      'print("unconditional", core.replace_namespaced_config_map(name, ns, labelled(blind, "blind")).metadata.labels["step"])',
    ].join('\n');
    const r = await execa('/usr/bin/python3', ['-c', script, kubeconfig, name], { reject: false, env: { HOME: home }, timeout: 180_000 });
    assert.equal(r.exitCode, 0, String(r.stderr));
    const lines = String(r.stdout).trim().split('\n');
    const kinds = { pod: 'pods', service: 'services', configmap: 'configmaps', deployment: 'deployments' } as const;
    const expected: string[] = [];
    for (const [kind, plural] of Object.entries(kinds)) {
      const qualified = kind === 'deployment' ? `deployments.apps "${name}"` : `${plural} "${name}"`;
      const conflict = `409 Conflict ${plural} name Operation cannot be fulfilled on ${qualified}: the object has been modified; please apply your changes to the latest version and try again`;
      expected.push(`${kind} first first True`, `${kind} second ${conflict}`, `${kind} patch ${conflict}`, `${kind} fresh fresh fresh`);
    }
    expected.push('race 409 written', 'unconditional blind');
    assert.deepEqual(lines, expected);
    // kubectl's own flow from a stale file: replace refuses it in the API server's words.
    const stale = await kubectlOk('1.33', ['get', 'service', name, '-o', 'json']);
    await kubectlOk('1.33', ['label', 'service', name, 'step=kubectl', '--overwrite']);
    const refused = await kubectl('1.33', ['replace', '-f', '-'], stale);
    assert.equal(refused.exitCode, 1);
    assert.match(String(refused.stderr), new RegExp(`Error from server \\(Conflict\\).*Operation cannot be fulfilled on services "${name}": the object has been modified`));
    for (const kind of ['pod', 'service', 'configmap', 'deployment']) await kubectlOk('1.33', ['delete', kind, name]);
  });

  it('kubectl delete --cascade=orphan, then apply again: the Deployment adopts its ReplicaSet and pods (same names and uids, references back, 3 pods not 6)', async () => {
    const name = uniqueName('pct-wad');
    const file = join(work, `${name}.yaml`);
    made.push({ file });
    await writeFile(file, `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 3
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: web, image: nginx }]
`);
    type Meta = { metadata: { name: string; uid: string; ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }> } };
    const pods = async () => (await json<{ items: Meta[] }>('1.33', ['get', 'pods', '-l', `app=${name}`])).items;
    const identity = (list: Meta[]) => list.map((p) => `${p.metadata.name} ${p.metadata.uid}`).sort();
    await kubectlOk('1.33', ['apply', '-f', file]);
    await eventually('three running pods', async () => (await podsOf(name)).items.filter((p) => p.status.phase === 'Running').length === 3);
    const before = await pods();
    const rsName = before[0]!.metadata.ownerReferences![0]!.name;
    made.push({ args: ['replicaset', rsName] });
    await kubectlOk('1.33', ['delete', 'deployment', name, '--cascade=orphan']);
    assert.equal((await json<Meta>('1.33', ['get', 'replicaset', rsName])).metadata.ownerReferences, undefined, 'orphaned');
    await kubectlOk('1.33', ['apply', '-f', file]);
    const deploy = await json<Meta>('1.33', ['get', 'deployment', name]);
    // serve's Deployment controller takes them back on its sync of the new record.
    await eventually('the ReplicaSet adopted', async () => {
      const sets = (await json<{ items: Meta[] }>('1.33', ['get', 'replicasets', '-l', `app=${name}`])).items;
      return sets.length === 1 && sets[0]!.metadata.ownerReferences?.[0]?.uid === deploy.metadata.uid;
    });
    const rs = await json<Meta>('1.33', ['get', 'replicaset', rsName]);
    await sleep(2000);
    const after = await pods();
    assert.deepEqual(identity(after), identity(before));
    for (const p of after) assert.deepEqual(p.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['ReplicaSet', rsName, rs.metadata.uid, true]]);
    await kubectlOk('1.33', ['delete', '-f', file]);
    assert.deepEqual(await pods(), []);
  });

  it('discovery lists the write verbs and the scale subresource', async () => {
    const out = await kubectlOk('1.33', ['api-resources', '-o', 'wide', '--no-headers']);
    const row = (n: string) => out.split('\n').find((l) => l.startsWith(`${n} `)) ?? '';
    assert.match(row('deployments'), /\sget,list,watch,create,update,patch,delete,deletecollection\s/);
    // Endpoints follow their Service: read and watched, never written.
    assert.match(row('endpoints'), /\sget,list,watch\s/);
    const raw = JSON.parse(await kubectlOk('1.33', ['get', '--raw', '/apis/apps/v1'])) as { resources: Array<{ name: string; kind: string }> };
    assert.equal(raw.resources.find((r) => r.name === 'deployments/scale')?.kind, 'Scale');
  });
});
