import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { eventually, podctl, podctlOk, uniqueName } from './harness/run.js';
import { killServe, startServe, stopServe, type Serve } from './harness/serve.js';
import { kubectlPath, runKubectl, serveWithApi } from './harness/kube-api.js';
import { deploymentYaml } from './harness/manifests.js';

// Watches of `podctl serve`'s API by real clients: kubectl 1.27 and 1.33 (get -w, rollout
// status, wait) and the Python client's watch.Watch (resume from a resourceVersion, 410 Gone),
// with the changes made by podctl's own commands (apply, scale, rm), which write the store
// directly: what reaches the watchers went through the store's change log.
const KUBECTLS = ['1.27', '1.33'];
/** serve keeps this many changes for resuming watches, so a test can outrun its history. */
const HISTORY = 40;

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-watch-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('watches of podctl serve by kubectl and the Python client', () => {
  const name = uniqueName('pct-watch');
  let serve: Serve | undefined;
  let manifest: string;
  let kubeconfig: string;
  let home: string;
  let port: number;
  const running: ResultPromise[] = [];
  const configMaps: string[] = [];

  const deployment = (replicas: number, round: string) => deploymentYaml(name, { replicas, env: { ROUND: round } });

  const kubectl = (version: string, args: string[]) =>
    runKubectl(kubectlPath(version), kubeconfig, args, { home, timeout: 120_000 });

  /** A kubectl left running (a watch); its output so far, and it is killed after the test. */
  const follow = (version: string, args: string[]) => {
    const child = kubectl(version, args);
    running.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += String(d)));
    return { output: () => out, stop: () => child.kill() };
  };

  before(async () => {
    home = join(work, 'home');
    manifest = join(work, 'app.yaml');
    await writeFile(manifest, deployment(2, 'start'));
    process.env.PODCTL_WATCH_HISTORY = String(HISTORY);
    ({ serve, port, kubeconfig } = await serveWithApi(work, manifest));
  });

  after(async () => {
    for (const child of running) child.kill();
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    delete process.env.PODCTL_WATCH_HISTORY;
    await podctl(['delete', '-f', manifest, '--ignore-not-found']);
    await applyConfigMaps(configMaps, 'delete');
    await leaks.assertClean();
  });

  for (const v of KUBECTLS) {
    describe(`kubectl ${v}`, () => {
      it('get deploy -w and get pods -w show a podctl scale as it happens', async () => {
        const deploys = follow(v, ['get', 'deploy', name, '-w']);
        const pods = follow(v, ['get', 'pods', '-l', `app=${name}`, '-w']);
        // The list first (the header and the current row), then the changes. (The stored status
        // may lag a pod's readiness until the controller's next sync: within the 30 s resync.)
        await eventually(async () => assert.match(deploys.output(), new RegExp(`^NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE\\n${name}\\s`)));
        await podctlOk(['scale', 'deploy', name, '--replicas', '3']);
        await eventually(async () => assert.match(deploys.output(), new RegExp(`^${name}\\s+3/3\\s+3\\s+3\\s`, 'm')), 40_000);
        await eventually(async () => {
          const ready = new Set([...pods.output().matchAll(new RegExp(`^(${name}-\\S+)\\s+1/1\\s+Running\\s`, 'gm'))].map((m) => m[1]));
          assert.equal(ready.size, 3, pods.output());
        }, 40_000);
        assert.equal(pods.output().match(/^NAME\s+READY\s+STATUS/gm)?.length, 1, 'one header, then rows');
        await podctlOk(['scale', 'deploy', name, '--replicas', '2', '--wait']);
        await eventually(async () => assert.match(deploys.output().trim().split('\n').at(-1)!, new RegExp(`^${name}\\s+2/2\\s+2\\s+2\\s`)), 40_000);
        deploys.stop();
        pods.stop();
      });

      it('rollout status follows a rollout applied with podctl to its end', async () => {
        await writeFile(manifest, deployment(2, `rollout-${v}`));
        await podctlOk(['apply', '-f', manifest]);
        const r = await kubectl(v, ['rollout', 'status', `deploy/${name}`, '--timeout', '90s']);
        assert.equal(r.exitCode, 0, String(r.stderr));
        assert.match(String(r.stdout), new RegExp(`deployment "${name}" successfully rolled out`));
      });

      it('wait --for=condition=available, and --for=delete of a pod podctl removes', async () => {
        const available = await kubectl(v, ['wait', '--for=condition=available', `deploy/${name}`, '--timeout', '60s']);
        assert.equal(available.exitCode, 0, String(available.stderr));
        assert.match(String(available.stdout), new RegExp(`deployment.apps/${name} condition met`));
        const pod = (await podctlOk(['get', 'pods', '-l', `app=${name}`, '-o', 'name'])).stdout.split('\n')[0]!.replace(/^pod\//, '');
        const gone = kubectl(v, ['wait', '--for=delete', `pod/${pod}`, '--timeout', '60s']);
        // The wait is watching before the pod goes (it lists first and says nothing until then).
        await new Promise((r) => setTimeout(r, 1000));
        await podctlOk(['rm', '-f', pod]);
        const r = await gone;
        assert.equal(r.exitCode, 0, String(r.stderr));
        assert.match(String(r.stdout), new RegExp(`pod/${pod} condition met`));
      });
    });
  }

  it('watch=true over HTTP: a filtered watch by name, BOOKMARKs, timeoutSeconds, and the watch verb in discovery', async () => {
    const script = `
import json, sys
from kubernetes import client, config, watch
config.load_kube_config(config_file=sys.argv[1])
api = client.CoreV1Api()
w = watch.Watch()
seen = []
for e in w.stream(api.list_namespaced_config_map, "default", field_selector="metadata.name=" + sys.argv[2] + "-solo", allow_watch_bookmarks=True, timeout_seconds=7):
    seen.append([e["type"], e["raw_object"].get("metadata", {}).get("name", "")])
print(json.dumps(seen))
`;
    const child = execa('/usr/bin/python3', ['-c', script, kubeconfig, name], { reject: false, env: { HOME: home }, timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await applyConfigMaps([`${name}-solo`, `${name}-other`]);
    const r = await child;
    assert.equal(r.exitCode, 0, String(r.stderr));
    const seen = JSON.parse(String(r.stdout)) as string[][];
    assert.deepEqual(seen.filter(([t]) => t !== 'BOOKMARK'), [['ADDED', `${name}-solo`]]);
    assert.ok(seen.some(([t]) => t === 'BOOKMARK'), `a bookmark within 7 s: ${JSON.stringify(seen)}`);
    const resources = JSON.parse(String((await kubectl('1.33', ['get', '--raw', '/apis/apps/v1'])).stdout)) as { resources: Array<{ name: string; verbs: string[] }> };
    assert.ok(resources.resources.find((x) => x.name === 'deployments')!.verbs.includes('watch'));
  });

  it('the Python client resumes from a resourceVersion (also across a kill -9 of serve), and gets 410 for one older than the history', async () => {
    const script = `
import json, sys
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
config.load_kube_config(config_file=sys.argv[1])
api = client.CoreV1Api()
def names(rv, n):
    w = watch.Watch()
    out = []
    for e in w.stream(api.list_namespaced_config_map, "default", label_selector="watch=" + sys.argv[2], resource_version=rv, timeout_seconds=5):
        out.append([e["type"], e["object"].metadata.name, e["object"].metadata.resource_version])
        if len(out) == n:
            w.stop()
    return out
step = sys.argv[3]
if step == "list":
    print(api.list_namespaced_config_map("default").metadata.resource_version)
elif step == "watch":
    print(json.dumps(names(sys.argv[4], int(sys.argv[5]))))
else:
    try:
        names(sys.argv[4], 1)
        print("no error")
    except ApiException as e:
        print(e.status)
`;
    const py = async (...args: string[]) => {
      const r = await execa('/usr/bin/python3', ['-c', script, kubeconfig, name, ...args], { reject: false, env: { HOME: home }, timeout: 60_000 });
      assert.equal(r.exitCode, 0, String(r.stderr));
      return String(r.stdout).trim();
    };
    const listed = await py('list');
    assert.match(listed, /^\d+$/);
    // Changes made by podctl after the list: the watch from the list's version gets them in order.
    await applyConfigMaps([`${name}-a`, `${name}-b`]);
    const events = JSON.parse(await py('watch', listed, '2')) as string[][];
    assert.deepEqual(events.map(([t, n]) => [t, n]), [['ADDED', `${name}-a`], ['ADDED', `${name}-b`]]);
    assert.ok(Number(events[0]![2]) > Number(listed) && Number(events[1]![2]) > Number(events[0]![2]));
    // Resumed from the first event: only what came after it.
    const resumed = JSON.parse(await py('watch', events[0]![2]!, '1')) as string[][];
    assert.deepEqual(resumed, [events[1]]);
    // More changes than serve keeps: the list's version is gone.
    await applyConfigMaps(Array.from({ length: HISTORY + 5 }, (_, i) => `${name}-n${i}`));
    assert.equal(await py('expired', listed), '410');

    // serve killed (-9), changes made by podctl while it is down, serve started again: a watch
    // from a version before the kill gets them, in order, from the store's change log.
    const before = await py('list');
    await killServe(serve!);
    serve = undefined;
    await applyConfigMaps([`${name}-down-1`, `${name}-down-2`]);
    serve = await startServe(['--listen', `127.0.0.1:${port}`]);
    const missed = JSON.parse(await py('watch', before, '2')) as string[][];
    assert.deepEqual(missed.map(([t, n]) => [t, n]), [['ADDED', `${name}-down-1`], ['ADDED', `${name}-down-2`]]);
  });

  /** `podctl apply -f` (or delete) of ConfigMaps labelled for this test: one store write each. */
  async function applyConfigMaps(names: string[], verb: 'apply' | 'delete' = 'apply'): Promise<void> {
    if (names.length === 0) return;
    if (verb === 'apply') configMaps.push(...names);
    const file = join(work, 'cms.yaml');
    await writeFile(file, names.map((n) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${n}, labels: { watch: ${name} } }\ndata: { k: v }\n`).join('---\n'));
    await podctlOk(verb === 'apply' ? ['apply', '-f', file] : ['delete', '-f', file, '--ignore-not-found']);
  }
});
