import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PodManager } from '../pod/manager.js';
import { isPodctlError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { runningApiUrl, serveApi } from './index.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

test('serveApi publishes its URL while it runs and withdraws it at close; a port in use is one clear error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pct-api-index-'));
  const pods = { stateDir: join(dir, 'state'), runDir: join(dir, 'run') } as unknown as PodManager;
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const busyPort = (taken.address() as { port: number }).port;
  try {
    await assert.rejects(runningApiUrl(pods.runDir), (err) => isPodctlError(err, 'NOT_FOUND'));
    await assert.rejects(serveApi(pods, logger, { host: '127.0.0.1', port: busyPort }), (err) => isPodctlError(err, 'ALREADY_EXISTS') && err.message.includes(`127.0.0.1:${busyPort}`));
    const api = await serveApi(pods, logger, { host: '127.0.0.1', port: 0 });
    assert.match(api.url, /^https:\/\/127\.0\.0\.1:[1-9]\d*$/);
    assert.equal(await runningApiUrl(pods.runDir), api.url);
    assert.equal(JSON.parse(await readFile(join(pods.runDir, 'api', 'server.json'), 'utf8')).pid, process.pid);
    await api.close();
    await assert.rejects(stat(join(pods.runDir, 'api', 'server.json')));
  } finally {
    taken.close();
    await rm(dir, { recursive: true, force: true });
  }
});
