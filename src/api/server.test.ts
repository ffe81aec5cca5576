import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PodManager } from '../pod/manager.js';
import type { Logger } from '../util/logger.js';
import { ensureCredentials } from './credentials.js';
import { resolveTarget, startApiServer } from './server.js';

const name = (t: ReturnType<typeof resolveTarget>) => t && [t.resource.name, t.namespace, t.name];

test('URLs to resources: namespaced lists and gets, across namespaces, cluster-scoped ones', () => {
  assert.deepEqual(name(resolveTarget('', 'v1', ['pods'])), ['pods', undefined, undefined]);
  assert.deepEqual(name(resolveTarget('', 'v1', ['namespaces', 'dev', 'pods'])), ['pods', 'dev', undefined]);
  assert.deepEqual(name(resolveTarget('', 'v1', ['namespaces', 'dev', 'pods', 'web'])), ['pods', 'dev', 'web']);
  assert.deepEqual(name(resolveTarget('apps', 'v1', ['namespaces', 'default', 'deployments', 'web'])), ['deployments', 'default', 'web']);
  assert.deepEqual(name(resolveTarget('', 'v1', ['namespaces'])), ['namespaces', undefined, undefined]);
  assert.deepEqual(name(resolveTarget('', 'v1', ['namespaces', 'dev'])), ['namespaces', undefined, 'dev']);
  assert.equal(resolveTarget('', 'v1', ['namespaces', 'dev', 'pods', 'web', 'status'])?.subresource, 'status');
  assert.equal(resolveTarget('apps', 'v1', ['namespaces', 'dev', 'deployments', 'web', 'status'])?.subresource, 'status');
  assert.equal(resolveTarget('apps', 'v1', ['namespaces', 'dev', 'deployments', 'web', 'scale'])?.subresource, 'scale');
});

test('what the API server does not serve resolves to nothing (its 404)', () => {
  assert.equal(resolveTarget('', 'v1', ['nodes']), undefined);
  assert.equal(resolveTarget('', 'v1', ['pods', 'web']), undefined, 'a namespaced object outside its namespace');
  assert.equal(resolveTarget('', 'v1', ['namespaces', 'dev', 'pods', 'web', 'log']), undefined, 'a subresource not in the table (log is served on its own path)');
  assert.equal(resolveTarget('', 'v1', ['namespaces', 'dev', 'configmaps', 'web', 'status']), undefined, 'a kind without a status subresource');
  assert.equal(resolveTarget('apps', 'v1', ['namespaces', 'dev', 'daemonsets', 'web', 'scale']), undefined, 'DaemonSets do not scale');
  assert.equal(resolveTarget('apps', 'v1', ['pods']), undefined, 'pods are not in apps');
  assert.equal(resolveTarget('', 'v1', ['namespaces', 'dev', 'namespaces']), undefined);
});

test('over TLS: health and version for anyone, 401 Status without the token, discovery negotiated by Accept, 404 and 405 as the API server answers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pct-api-server-'));
  const credentials = await ensureCredentials(dir, '127.0.0.1');
  const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
  // Reads are the e2e test's (they need pods); these paths never reach the pod manager.
  const server = await startApiServer({ pods: {} as PodManager, logger: quiet, credentials, host: '127.0.0.1', port: 0 });
  const port = (server.address() as { port: number }).port;
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, ca: credentials.ca.cert, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += String(d)));
        res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
      });
      req.on('error', reject);
      req.end();
    });
  const auth = { authorization: `Bearer ${credentials.token}` };
  try {
    assert.deepEqual(await get('/healthz'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok' });
    assert.equal(JSON.parse((await get('/version')).body).gitVersion.startsWith('v1.'), true);
    const denied = await get('/api');
    assert.equal(denied.status, 401);
    assert.equal(JSON.parse(denied.body).reason, 'Unauthorized');
    assert.equal((await get('/api', { authorization: 'Bearer nope' })).status, 401);
    assert.equal(JSON.parse((await get('/api', auth)).body).kind, 'APIVersions');
    const aggregated = await get('/apis', { ...auth, accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    assert.equal(aggregated.type, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(JSON.parse(aggregated.body).kind, 'APIGroupDiscoveryList');
    assert.equal(JSON.parse((await get('/apis/apps/v1', auth)).body).groupVersion, 'apps/v1');
    const missing = await get('/api/v1/nodes', auth);
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).message, 'the server could not find the requested resource');
    assert.equal((await get('/apis/networking.k8s.io/v1', auth)).status, 404);
    const watch = await get('/api/v1/namespaces/default/pods?watch=true', auth);
    assert.equal(watch.status, 405);
    assert.equal(JSON.parse(watch.body).reason, 'MethodNotAllowed');
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
