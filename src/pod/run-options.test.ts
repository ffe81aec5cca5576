import { test } from 'node:test';
import assert from 'node:assert/strict';
import { specFromRunOptions, waitFromRunOptions } from './run-options.js';

const defaults = { network: 'podctl', pauseImage: 'pause:1', session: 'lib-1-ab' };

test('an image alone becomes a whole pod spec with the session label and defaults', () => {
  const spec = specFromRunOptions({ image: 'nginx:latest', ports: ['127.0.0.1:8080:80'] }, defaults);
  assert.match(spec.name, /^nginx-[0-9a-f]{6}$/);
  assert.equal(spec.namespace, 'default');
  assert.equal(spec.session, 'lib-1-ab');
  assert.deepEqual(spec.networks, ['podctl']);
  assert.deepEqual(spec.containers, [{ name: 'nginx', image: 'nginx:latest', env: {} }]);
  assert.deepEqual(spec.portMappings, [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }]);
  assert.equal(spec.restartPolicy, 'no');
});

test('unnamed containers are named after their image, as with flags; a pod without one is refused', () => {
  const spec = specFromRunOptions({ containers: [{ image: 'busybox' }, { image: 'b', name: 'busybox-2', args: ['sleep', '1'] }, { image: 'busybox:1.36' }] }, defaults);
  assert.deepEqual(spec.containers.map((c) => c.name), ['busybox', 'busybox-2', 'busybox-3']);
  assert.throws(() => specFromRunOptions({}, defaults), (err: { code?: string }) => err.code === 'INVALID_ARGUMENT');
});

test('wait options map to the pod manager wait spec', () => {
  assert.equal(waitFromRunOptions(undefined), undefined);
  assert.deepEqual(waitFromRunOptions(true), { timeoutMs: 60_000 });
  assert.deepEqual(waitFromRunOptions({ http: { port: 80 } }), { timeoutMs: 60_000, http: { port: 80, path: '/' } });
  assert.deepEqual(waitFromRunOptions({ tcp: 5432, timeoutMs: 5000 }), { timeoutMs: 5000, tcp: 5432 });
});
