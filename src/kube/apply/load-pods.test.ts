import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPods } from './load-pods.js';
import { parseManifestText } from './read-manifests.js';

const defaults = { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'pause' };
const pod = (name: string, extra = '') => `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name} }\nspec:\n  containers: [{ name: c, image: nginx${extra} }]\n`;

test('multi-document YAML, JSON and List documents all load; non-Pods are skipped with a warning', () => {
  const text = [pod('a'), 'apiVersion: v1\nkind: Service\nmetadata: { name: svc }\n', JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }] }) + '\n', ''].join('---\n');
  const { pods, warnings } = loadPods(parseManifestText(text, 'all.yaml'), defaults);
  assert.deepEqual(pods.map((p) => `${p.source} ${p.spec.name}`), ['all.yaml#1 a', 'all.yaml#3.items[0] b']);
  assert.deepEqual(warnings, ['all.yaml#2: Service/svc skipped: podctl runs kind Pod only']);
});

test('unsupported fields are one warning per pod, and an error with --strict', () => {
  const docs = parseManifestText(pod('a', ', lifecycle: { postStart: { exec: { command: [sh] } } }, terminationMessagePolicy: FallbackToLogsOnError'), 'a.yaml');
  assert.deepEqual(loadPods(docs, defaults).warnings, ['a.yaml: pod a: fields podctl cannot honour (ignored): spec.containers[0].lifecycle, spec.containers[0].terminationMessagePolicy']);
  assert.throws(() => loadPods(docs, defaults, { strict: true }), (err: { code?: string; message?: string }) => err.code === 'INVALID_ARGUMENT' && /spec\.containers\[0\]\.lifecycle/.test(err.message ?? ''));
});

test('errors of every document come in one error, each with its source and path', () => {
  const text = [pod('a', ', ports: [{ containerPort: 0 }]'), pod('a')].join('---\n');
  assert.throws(
    () => loadPods(parseManifestText(text, 'x.yaml'), defaults),
    (err: { message?: string; details?: { problems: string[] } }) => {
      assert.deepEqual(err.details?.problems, ['x.yaml#1: spec.containers[0].ports[0].containerPort: must be 1-65535']);
      return true;
    },
  );
  assert.throws(() => loadPods(parseManifestText([pod('a'), pod('a')].join('---\n'), 'x.yaml'), defaults), /given twice/);
});

test('-n must agree with metadata.namespace; YAML syntax errors give a line', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: prod }\nspec: { containers: [{ name: c, image: nginx }] }\n';
  assert.throws(() => loadPods(parseManifestText(text, 'a.yaml'), defaults, { namespaceFlag: 'dev' }), /but -n says dev/);
  assert.equal(loadPods(parseManifestText(pod('a'), 'a.yaml'), defaults, { namespaceFlag: 'dev' }).pods[0]!.spec.namespace, 'dev');
  assert.throws(() => parseManifestText('kind: Pod\n  bad: [', 'b.yaml'), /b\.yaml: line \d+, column \d+: not valid YAML/);
});
