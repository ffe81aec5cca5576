import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { eventually, podctl, podctlOk, uniqueName } from './harness/run.js';
import { stopServe, type Serve } from './harness/serve.js';
import { kubectlPath, runKubectl, serveWithApi } from './harness/kube-api.js';
import { deploymentYaml } from './harness/manifests.js';

// The status subresource, the ReplicaSet watch and DELETE preconditions of serve's API, driven by
// the oldest and the newest kubectl installed and the Python client, on a Deployment serve's
// controllers run (its pods real containers).
const KUBECTLS = ['1.27', '1.33'];

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-subres-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

type Condition = { type: string; status: string };
type DeploymentJson = { kind: string; metadata: { name: string; generation: number; resourceVersion: string }; spec: { replicas: number }; status: { replicas?: number; conditions?: Condition[] } };

describe('status subresource, ReplicaSet watch and DELETE preconditions through podctl serve', () => {
  const name = uniqueName('pct-subres');
  let serve: Serve | undefined;
  let manifest: string;
  let kubeconfig: string;
  const running: ResultPromise[] = [];
  const configMaps: string[] = [];

  const deployment = (replicas: number, round = 'start') => deploymentYaml(name, { replicas, env: { ROUND: round } });

  // Each kubectl version with a HOME of its own (kubectl caches discovery there).
  const kubectl = (version: string, args: string[]) => runKubectl(kubectlPath(version), kubeconfig, args, { home: join(work, `home-${version}`), timeout: 120_000 });
  const kubectlOk = async (version: string, args: string[]) => {
    const r = await kubectl(version, args);
    assert.equal(r.exitCode, 0, `kubectl.${version} ${args.join(' ')}: ${String(r.stderr)}`);
    return { stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const python = async (script: string, ...args: string[]) => {
    const r = await execa('/usr/bin/python3', ['-c', script, kubeconfig, name, ...args], { reject: false, env: { HOME: join(work, 'home-py') }, timeout: 120_000 });
    assert.equal(r.exitCode, 0, String(r.stderr));
    return String(r.stdout).trim().split('\n');
  };
  /** A kubectl left running (a watch); its output so far, and it is killed after the test. */
  const follow = (version: string, args: string[]) => {
    const child = kubectl(version, args);
    running.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += String(d)));
    return { output: () => out, stop: () => child.kill() };
  };
  const PY_HEAD = ['import json, sys', 'from kubernetes import client, config, watch', 'from kubernetes.client.rest import ApiException', 'config.load_kube_config(config_file=sys.argv[1])', 'name = sys.argv[2]'].join('\n');

  before(async () => {
    manifest = join(work, 'app.yaml');
    await writeFile(manifest, deployment(1));
    ({ serve, kubeconfig } = await serveWithApi(work, manifest));
  });

  after(async () => {
    for (const child of running) child.kill();
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    // Whatever a failed test left: removed with podctl itself.
    await podctl(['delete', '-f', manifest, '--ignore-not-found']);
    for (const cm of configMaps) await podctl(['delete', 'configmap', cm, '--ignore-not-found']);
    await leaks.assertClean();
  });

  for (const v of KUBECTLS) {
    it(`kubectl ${v}: get --subresource=status answers the Deployment; patch --subresource=status changes its status only, and the controller keeps a condition it does not own`, async () => {
      const before = JSON.parse((await kubectlOk(v, ['get', 'deploy', name, '--subresource=status', '-o', 'json'])).stdout) as DeploymentJson;
      assert.equal(before.kind, 'Deployment');
      assert.equal(before.metadata.name, name);
      assert.equal(before.spec.replicas, 1);
      const type = `PodctlTest${v.replace('.', '')}`;
      // The spec in the patch is ignored, as the API server ignores all but .status on this path.
      const patch = JSON.stringify({ spec: { replicas: 4 }, status: { conditions: [...(before.status.conditions ?? []), { type, status: 'True', reason: 'Set', message: 'by a test' }] } });
      const patched = JSON.parse((await kubectlOk(v, ['patch', 'deploy', name, '--subresource=status', '--type=merge', '-p', patch, '-o', 'json'])).stdout) as DeploymentJson;
      assert.equal(patched.spec.replicas, 1);
      assert.equal(patched.metadata.generation, before.metadata.generation, 'a status write is no new generation');
      assert.notEqual(patched.metadata.resourceVersion, before.metadata.resourceVersion);
      assert.ok(patched.status.conditions?.some((c) => c.type === type && c.status === 'True'), JSON.stringify(patched.status));
      // Kept in the record through the controller's syncs (it sets its own conditions, leaves others), and seen by podctl.
      const seen = JSON.parse((await podctlOk(['get', 'deploy', name, '-o', 'json'])).stdout) as DeploymentJson;
      assert.equal(seen.spec.replicas, 1);
      assert.ok(seen.status.conditions?.some((c) => c.type === type), JSON.stringify(seen.status));
      await eventually(async () => {
        const now = JSON.parse((await kubectlOk(v, ['get', 'deploy', name, '-o', 'json'])).stdout) as DeploymentJson;
        assert.ok(now.status.conditions?.some((c) => c.type === 'Available'), JSON.stringify(now.status));
        assert.ok(now.status.conditions?.some((c) => c.type === type), JSON.stringify(now.status));
      }, 30_000);
    });

    it(`kubectl ${v}: a pod's status is observed from Docker: a patch of it is answered with a warning and the status as it is`, async () => {
      const pod = (await podctlOk(['get', 'pods', '-l', `app=${name}`, '-o', 'name'])).stdout.trim().split('\n')[0]!.replace(/^pod\//, '');
      const r = await kubectlOk(v, ['patch', 'pod', pod, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Failed"}}', '-o', 'json']);
      assert.match(r.stderr, /Warning: podctl keeps no status of its own for this Pod/);
      assert.equal((JSON.parse(r.stdout) as { status: { phase: string } }).status.phase, 'Running');
      const got = JSON.parse((await kubectlOk(v, ['get', 'pod', pod, '--subresource=status', '-o', 'json'])).stdout) as { kind: string; status: { phase: string } };
      assert.deepEqual([got.kind, got.status.phase], ['Pod', 'Running']);
    });
  }

  it('the Python client: read and patch the Deployment status, a stale replace is 409, a dry run and a plain update leave the status alone', async () => {
    const out = await python(`${PY_HEAD}
apps = client.AppsV1Api()
d = apps.read_namespaced_deployment_status(name, "default")
print("read", d.kind, d.metadata.name, d.spec.replicas)
p = apps.patch_namespaced_deployment_status(name, "default", {"status": {"conditions": [{"type": "PodctlPy", "status": "True", "reason": "Set", "message": "by python"}]}})
print("patched", any(c.type == "PodctlPy" for c in p.status.conditions), p.metadata.generation == d.metadata.generation)
try:
    apps.replace_namespaced_deployment_status(name, "default", d)
except ApiException as e:
    print("stale", e.status, json.loads(e.body)["reason"])
dry = apps.patch_namespaced_deployment_status(name, "default", {"status": {"conditions": [{"type": "PodctlDry", "status": "True"}]}}, dry_run="All")
print("dry answer", any(c.type == "PodctlDry" for c in dry.status.conditions))
print("dry kept", any(c.type == "PodctlDry" for c in apps.read_namespaced_deployment(name, "default").status.conditions))
# A plain update from a fresh read (made again if the controller wrote its status between the two).
for attempt in range(5):
    now = apps.read_namespaced_deployment(name, "default")
    now.status.conditions = [c for c in now.status.conditions if c.type != "PodctlPy"]
    now.metadata.labels["updated"] = "yes"
    try:
        updated = apps.replace_namespaced_deployment(name, "default", now)
        break
    except ApiException as e:
        if e.status != 409: raise
print("update", updated.metadata.labels.get("updated"), any(c.type == "PodctlPy" for c in updated.status.conditions))
`);
    assert.deepEqual(out, [`read Deployment ${name} 1`, 'patched True True', 'stale 409 Conflict', 'dry answer True', 'dry kept False', 'update yes True']);
  });

  it('discovery lists the status subresources with get, patch and update', async () => {
    const apps = JSON.parse((await kubectlOk('1.33', ['get', '--raw', '/apis/apps/v1'])).stdout) as { resources: Array<{ name: string; kind: string; verbs: string[] }> };
    for (const r of ['deployments', 'replicasets', 'statefulsets', 'daemonsets']) assert.deepEqual(apps.resources.find((x) => x.name === `${r}/status`)?.verbs, ['get', 'patch', 'update'], r);
    const core = JSON.parse((await kubectlOk('1.33', ['get', '--raw', '/api/v1'])).stdout) as typeof apps;
    assert.deepEqual(core.resources.filter((x) => x.name.endsWith('/status')).map((x) => [x.name, x.kind]), [['pods/status', 'Pod'], ['services/status', 'Service']]);
    const batch = JSON.parse((await kubectlOk('1.27', ['get', '--raw', '/apis/batch/v1'])).stdout) as typeof apps;
    assert.ok(batch.resources.some((x) => x.name === 'jobs/status'));
  });

  it('DELETE preconditions: a wrong uid or a stale resourceVersion is a 409 in the API server words and deletes nothing; the right ones delete; deletecollection deletes what meets them', async () => {
    const cms = [`${name}-a`, `${name}-b`, `${name}-c`];
    configMaps.push(...cms);
    const out = await python(`${PY_HEAD}
core = client.CoreV1Api()
apps = client.AppsV1Api()
made = [core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name + "-" + s, labels={"pre": name}), data={"k": "1"})) for s in "abc"]
a = made[0]
def refused(fn):
    try:
        fn()
        return "deleted"
    except ApiException as e:
        return "%d %s %s" % (e.status, json.loads(e.body)["reason"], json.loads(e.body)["message"])
print(refused(lambda: core.delete_namespaced_config_map(a.metadata.name, "default", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid="not-" + a.metadata.uid)))))
changed = core.patch_namespaced_config_map(a.metadata.name, "default", {"data": {"k": "2"}})
print(refused(lambda: core.delete_namespaced_config_map(a.metadata.name, "default", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version=a.metadata.resource_version)))))
print("still there", core.read_namespaced_config_map(a.metadata.name, "default").data["k"])
print(refused(lambda: core.delete_namespaced_config_map(a.metadata.name, "default", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=a.metadata.uid, resource_version=changed.metadata.resource_version)))))
d = apps.read_namespaced_deployment(name, "default")
print(refused(lambda: apps.delete_namespaced_deployment(name, "default", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version="1")))).split(":")[0])
b = made[1]
print(refused(lambda: core.delete_collection_namespaced_config_map("default", label_selector="pre=" + name, body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=b.metadata.uid)))).split(":")[0])
print("left", sorted(c.metadata.name[len(name) + 1:] for c in core.list_namespaced_config_map("default", label_selector="pre=" + name).items))
print(refused(lambda: core.delete_collection_namespaced_config_map("default", label_selector="pre=" + name)))
`);
    const [uid, rv, still, right, deploy, collection, left, rest] = out;
    assert.match(uid!, new RegExp(`^409 Conflict Operation cannot be fulfilled on configmaps "${name}-a": Precondition failed: UID in precondition: not-[-0-9a-f]+, UID in object meta: [-0-9a-f]+$`));
    assert.match(rv!, new RegExp(`^409 Conflict Operation cannot be fulfilled on configmaps "${name}-a": Precondition failed: ResourceVersion in precondition: \\d+, ResourceVersion in object meta: \\d+$`));
    assert.equal(still, 'still there 2');
    assert.equal(right, 'deleted');
    assert.equal(deploy, `409 Conflict Operation cannot be fulfilled on deployments.apps "${name}"`);
    assert.equal(collection, `409 Conflict Operation cannot be fulfilled on configmaps "${name}-c"`);
    assert.equal(left, "left ['c']");
    assert.equal(rest, 'deleted');
    assert.equal((await podctl(['get', 'deploy', name])).exitCode, 0, 'the Deployment is still there');
  });
  for (const v of KUBECTLS) {
    it(`kubectl ${v}: get rs -w shows a podctl scale of the Deployment as it happens`, async () => {
      const rs = follow(v, ['get', 'rs', '-l', `app=${name}`, '-w']);
      const row = (desired: number, current: number, ready: number) => new RegExp(`^${name}-\\w+\\s+${desired}\\s+${current}\\s+${ready}\\s`, 'm');
      await eventually(async () => assert.match(rs.output(), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\n/), 20_000);
      await eventually(async () => assert.match(rs.output(), row(1, 1, 1)), 20_000);
      await podctlOk(['scale', 'deploy', name, '--replicas', '2']);
      await eventually(async () => assert.match(rs.output(), row(2, 2, 2), rs.output()), 60_000);
      await podctlOk(['scale', 'deploy', name, '--replicas', '1', '--wait']);
      await eventually(async () => assert.match(rs.output().trim().split('\n').at(-1)!, row(1, 1, 1), rs.output()), 60_000);
      assert.equal(rs.output().match(/^NAME\s+DESIRED/gm)?.length, 1, 'one header, then rows');
      rs.stop();
    });
  }

  it('the Python client watches ReplicaSets from a list: a rollout adds the new one, scales it up and the old one down; rollout status still follows the rollout', async () => {
    const script = `${PY_HEAD}
apps = client.AppsV1Api()
listed = apps.list_namespaced_replica_set("default", label_selector="app=" + name)
print(json.dumps([listed.metadata.resource_version, [r.metadata.name for r in listed.items]]), flush=True)
seen = []
w = watch.Watch()
for e in w.stream(apps.list_namespaced_replica_set, "default", label_selector="app=" + name, resource_version=listed.metadata.resource_version, timeout_seconds=90):
    o = e["object"]
    seen.append([e["type"], o.metadata.name, o.spec.replicas, o.status.ready_replicas or 0, o.metadata.resource_version])
    news = [s for s in seen if s[1] not in [r.metadata.name for r in listed.items]]
    if news and news[-1][2] == 1 and news[-1][3] == 1 and any(s[1] != news[-1][1] and (s[2] == 0 or s[0] == "DELETED") for s in seen):
        w.stop()
print(json.dumps(seen))
`;
    const child = execa('/usr/bin/python3', ['-c', script, kubeconfig, name], { reject: false, env: { HOME: join(work, 'home-py') }, timeout: 120_000 });
    running.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += String(d)));
    await eventually(async () => assert.ok(out.includes('\n'), 'the list'), 30_000);
    const [listedRv, listedNames] = JSON.parse(out.split('\n')[0]!) as [string, string[]];
    assert.equal(listedNames.length, 1);
    await writeFile(manifest, deployment(1, 'rolled'));
    await podctlOk(['apply', '-f', manifest]);
    const status = await kubectl('1.33', ['rollout', 'status', `deploy/${name}`, '--timeout', '90s']);
    assert.equal(status.exitCode, 0, String(status.stderr));
    assert.match(String(status.stdout), new RegExp(`deployment "${name}" successfully rolled out`));
    const r = await child;
    assert.equal(r.exitCode, 0, String(r.stderr));
    const seen = JSON.parse(String(r.stdout).trim().split('\n')[1]!) as Array<[string, string, number, number, string]>;
    const fresh = seen.filter(([, n]) => n !== listedNames[0]);
    assert.equal(fresh[0]?.[0], 'ADDED', JSON.stringify(seen));
    // The old one scaled down (or gone with its last pod: podctl shows a ReplicaSet of an old template only while it has pods).
    assert.ok(seen.some(([type, n, replicas]) => n === listedNames[0] && ((type === 'MODIFIED' && replicas === 0) || type === 'DELETED')), JSON.stringify(seen));
    // Every change after the list's version, each with a version of its own, in order.
    const versions = seen.map((e) => Number(e[4]));
    assert.ok(versions.every((x, i) => x > Number(listedRv) && (i === 0 || x > versions[i - 1]!)), JSON.stringify(seen));
  });
});
