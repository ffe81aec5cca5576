import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatch } from './strategic.js';

// Patches in the shapes kubectl computes them (client-side apply's three-way patch, `kubectl
// set`, `kubectl patch --type strategic`), applied as the API server applies them.
const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a'] },
  spec: {
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }, { containerPort: 443 }] },
          { name: 'side', image: 'busybox', args: ['sleep', '1'] },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    },
  },
});
type D = ReturnType<typeof deployment>;
const asD = (d: unknown) => d as D;
const containers = (d: unknown) => asD(d).spec.template.spec.containers;

test('a merge-keyed list merges element by element: set image and set env touch one container', () => {
  const out = strategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'web', image: 'busybox' }] } } } }, 'Deployment');
  assert.equal(containers(out).length, 2);
  assert.equal(containers(out)[0]!.image, 'busybox');
  assert.equal(containers(out)[0]!.env!.length, 2, 'the rest of the container stays');
  const env = strategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'C', value: '3' }, { name: 'A', value: 'x' }] }] } } } }, 'Deployment');
  assert.deepEqual(containers(env)[0]!.env, [{ name: 'A', value: 'x' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }]);
});

test("client-side apply's removal: $patch delete by merge key, $setElementOrder, null for a map field", () => {
  const patch = {
    metadata: { labels: null },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'side' }, { name: 'web' }],
          containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], ports: [{ $patch: 'delete', containerPort: 443 }] }],
        },
      },
    },
  };
  const out = strategicMergePatch(deployment(), patch, 'Deployment');
  assert.equal(asD(out).metadata.labels, undefined);
  assert.deepEqual(containers(out).map((c) => c.name), ['side', 'web']);
  const web = containers(out).find((c) => c.name === 'web')!;
  assert.deepEqual(web.env, [{ name: 'A', value: '1' }]);
  assert.deepEqual(web.ports, [{ containerPort: 80 }]);
});

test('lists without a strategy (args) are replaced; a set of primitives (finalizers) takes the union; $deleteFromPrimitiveList removes', () => {
  const out = strategicMergePatch(deployment(), { metadata: { finalizers: ['b', 'a'] }, spec: { template: { spec: { containers: [{ name: 'side', args: ['sleep', '2'] }] } } } }, 'Deployment');
  assert.deepEqual(containers(out)[1]!.args, ['sleep', '2']);
  assert.deepEqual(asD(out).metadata.finalizers, ['a', 'b']);
  const removed = strategicMergePatch(out, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, 'Deployment');
  assert.deepEqual(asD(removed).metadata.finalizers, ['b']);
});

test('$retainKeys clears the fields it does not name (a strategy changed to Recreate); $patch replace takes a map or a list whole', () => {
  const out = strategicMergePatch(deployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }, 'Deployment');
  assert.deepEqual(asD(out).spec.strategy, { type: 'Recreate' });
  const vol = strategicMergePatch(deployment(), { spec: { template: { spec: { volumes: [{ name: 'data', $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' } }] } } } }, 'Deployment');
  assert.deepEqual(asD(vol).spec.template.spec.volumes, [{ name: 'data', configMap: { name: 'cfg' } }]);
  const replaced = strategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'nginx' }] } } } }, 'Deployment');
  assert.deepEqual(containers(replaced), [{ name: 'only', image: 'nginx' }]);
  const map = strategicMergePatch(deployment(), { metadata: { labels: { $patch: 'replace', tier: 'db' } } }, 'Deployment');
  assert.deepEqual(asD(map).metadata.labels, { tier: 'db' });
});

test("a Service's ports merge by port, a ConfigMap's data as a map; the original is not changed", () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 81 }] } };
  const out = strategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service');
  assert.deepEqual((out as unknown as typeof svc).spec.ports, [{ port: 80, targetPort: 9090 }, { port: 81 }]);
  assert.equal(svc.spec.ports[0]!.targetPort, 8080);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } };
  assert.deepEqual(strategicMergePatch(cm, { data: { a: null, c: '3' } }, 'ConfigMap').data, { b: '2', c: '3' });
});

test('bad patches are refused with what is wrong', () => {
  assert.throws(() => strategicMergePatch(deployment(), [], 'Deployment'), /must be a JSON object/);
  assert.throws(() => strategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'Deployment'), /no merge key name/);
  assert.throws(() => strategicMergePatch(deployment(), { spec: { $patch: 'explode' } }, 'Deployment'), /unknown patch type/);
});
