import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServices } from './kinds/service-apply.js';
import { planApply } from './apply/apply-objects.js';
import { ObjectStore } from './objects/store.js';
import { parseManifestText, type ManifestDocument } from './apply/read-manifests.js';
import { withoutServerSetFields } from './server-set.js';

// What users bring: `kubectl create ... --dry-run=client -o yaml` output and objects exported
// from a cluster (testdata/*/), planned by apply exactly as `podctl apply -f` plans them.
const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const defaults = { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'pause' };

async function plan(docs: ManifestDocument[]) {
  const stateDir = await mkdtemp(join(tmpdir(), 'podctl-round-trip-'));
  try {
    const result = await planApply(docs, defaults, new ObjectStore(stateDir), { otherKinds: ['Service'] });
    const services = loadServices(result.others, 'default', { strict: false });
    return { ...result, services };
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function fixtures(dir: string): Promise<ManifestDocument[]> {
  const names = (await readdir(join(TESTDATA, dir))).filter((n) => n.endsWith('.yaml')).sort();
  const docs: ManifestDocument[] = [];
  for (const n of names) docs.push(...parseManifestText(await readFile(join(TESTDATA, dir, n), 'utf8'), `${dir}/${n}`));
  return docs;
}

const kinds = (p: Awaited<ReturnType<typeof plan>>) => [
  ...p.configObjects.map((o) => `${o.kind}/${o.metadata.name}`),
  ...p.pods.map((x) => `Pod/${x.spec.name}`),
  ...p.workloads.map((w) => `${w.kind}/${w.name}`),
  ...p.services.specs.map((s) => `Service/${s.spec.name}`),
].sort();

test("kubectl create --dry-run=client -o yaml output of every kind podctl runs applies unchanged", async () => {
  const p = await plan(await fixtures('kubectl-create'));
  assert.deepEqual(kinds(p), ['ConfigMap/html', 'Deployment/web', 'Job/migrate', 'Namespace/staging', 'Pod/web', 'Secret/db', 'Service/web', 'Service/web-np']);
  assert.deepEqual(p.warnings, []);
  assert.equal(p.workloads.find((w) => w.kind === 'Deployment')!.obj.metadata.creationTimestamp, undefined);
});

test('objects exported from a cluster (status, uid, managedFields, unquoted timestamps) apply unchanged', async () => {
  const p = await plan(await fixtures('server-exports'));
  assert.deepEqual(kinds(p), [
    'ConfigMap/html', 'DaemonSet/agent', 'Deployment/web', 'Job/migrate', 'Namespace/staging', 'PersistentVolumeClaim/data', 'Pod/web', 'ReplicaSet/cache', 'Secret/db', 'Service/web', 'StatefulSet/db',
  ]);
  // What podctl cannot do is said once per object, never refused (without --strict).
  assert.ok(p.warnings.every((w) => !/status|uid|resourceVersion|managedFields|creationTimestamp|generation/.test(w)), p.warnings.join('\n'));
  const web = p.workloads.find((w) => w.kind === 'Deployment')!;
  assert.equal((web.obj.spec as { replicas: number }).replicas, 2);
});

test('an unquoted YAML timestamp stays the string it was written as', () => {
  const [doc] = parseManifestText('metadata:\n  annotations:\n    deployed: 2024-05-01\n    at: 2024-05-01T10:00:00Z\n', 'x.yaml');
  assert.deepEqual((doc!.value as { metadata: unknown }).metadata, { annotations: { deployed: '2024-05-01', at: '2024-05-01T10:00:00Z' } });
});

test('withoutServerSetFields drops status and the server-set metadata, nothing else', () => {
  const doc = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'a', namespace: 'b', labels: { x: 'y' }, uid: 'u', resourceVersion: '1', generation: 2, creationTimestamp: null, managedFields: [], selfLink: '/api' },
    data: { k: 'v' },
    status: { phase: 'x' },
  };
  assert.deepEqual(withoutServerSetFields(doc), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'b', labels: { x: 'y' } }, data: { k: 'v' } });
  assert.equal(withoutServerSetFields('text'), 'text');
  assert.deepEqual(withoutServerSetFields({ kind: 'Pod' }), { kind: 'Pod' });
});

test('a Service is held to the OpenAPI schema like every other kind', async () => {
  const docs = parseManifestText('apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec:\n  selector: { app: web }\n  ports: [{ port: eighty }]\n', 'svc.yaml');
  await assert.rejects(plan(docs), (err: { code?: string; message?: string }) => err.code === 'INVALID_ARGUMENT' && /svc\.yaml: spec\.ports\[0\]\.port: must be integer/.test(err.message ?? ''));
});
