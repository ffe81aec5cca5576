import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';
import type { PodSpec } from '../pod/spec.js';
import { Fields, ManifestIssues } from './fields.js';
import { deploymentFromPod, deploymentFromRecord } from './generate-deployment.js';
import { manifestFromPod } from './generate-pod.js';
import { readWorkload } from './kinds/workloads.js';
import type { KubeObject } from './objects/store.js';
import type { ManifestDefaults } from './parse-pod.js';
import { schemaIssues } from './schema.js';

const defaults: ManifestDefaults = { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'localhost/podctl-pause:3.10' };

const pod: PodSpec = {
  name: 'web-7f9c-abcde',
  namespace: 'default',
  hostname: 'front',
  labels: { 'pod-template-hash': '7f9c' },
  annotations: {},
  networks: ['podctl'],
  portMappings: [],
  dns: { servers: [], searches: [], options: [] },
  hostAliases: [],
  sharePid: false,
  restartPolicy: 'no',
  pauseImage: 'localhost/podctl-pause:3.10',
  initContainers: [],
  containers: [{ name: 'web', image: 'busybox', env: { A: '1' }, args: ['httpd', '-f'], ports: [{ containerPort: 80, protocol: 'tcp' }] }],
  stopTimeout: 10,
} as unknown as PodSpec;

/** What the API server's schema and podctl apply both say of a manifest, after a trip through YAML. */
async function accepted(manifest: KubeObject): Promise<void> {
  const doc = parse(stringify(manifest)) as Record<string, unknown>;
  assert.deepEqual(await schemaIssues(doc), [], stringify(doc));
  const issues = new ManifestIssues();
  const w = readWorkload(Fields.of(doc, '', issues)!, 'Deployment', 'default', defaults);
  assert.deepEqual(issues.errors, [], stringify(doc));
  assert.ok(w);
}

test('a pod becomes a one-replica Deployment the schema and podctl apply accept, with what changed said', async () => {
  const { manifest, notes } = deploymentFromPod(manifestFromPod(pod, { defaultNetwork: 'podctl' }), 'web');
  await accepted(manifest);
  const spec = manifest.spec as { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { restartPolicy: string; hostname?: string } } };
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.selector.matchLabels, { app: 'web' }, "the old controller's hash label is not carried over");
  assert.deepEqual(spec.template.metadata.labels, { app: 'web' });
  assert.equal(spec.template.spec.restartPolicy, 'Always');
  assert.equal(spec.template.spec.hostname, undefined);
  assert.equal(notes.length, 3);
  assert.match(notes.join('\n'), /no labels.*app=web/);
  assert.match(notes.join('\n'), /restartPolicy Never/);
});

test('a pod with labels keeps them as template and selector', () => {
  const { manifest, notes } = deploymentFromPod(manifestFromPod({ ...pod, labels: { app: 'shop', tier: 'front' }, restartPolicy: 'always', hostname: undefined } as unknown as PodSpec, { defaultNetwork: 'podctl' }), 'shop');
  assert.deepEqual((manifest.spec as { selector: unknown }).selector, { matchLabels: { app: 'shop', tier: 'front' } });
  assert.deepEqual(notes, []);
});

test("a Deployment record comes back as applied, without podctl's bookkeeping", async () => {
  const record: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, creationTimestamp: '2026-12-03T09:00:00Z', generation: 3 },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox' }] } } },
    status: { replicas: 3 },
  };
  const { manifest } = deploymentFromRecord(record);
  await accepted(manifest);
  assert.deepEqual(Object.keys(manifest).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
  assert.deepEqual(manifest.metadata, { name: 'web', namespace: 'default', labels: { app: 'web' } });
  assert.deepEqual(manifest.spec, record.spec);
});
