import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChangeFeed } from '../kube/objects/change-feed.js';
import { ObjectStore } from '../kube/objects/store.js';
import { watchObjectChanges } from './object-watch.js';

test("a store write or removal (another store's, as another process's) wakes its key; other kinds do not", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-watch-'));
  const store = new ObjectStore(dir);
  await store.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'old', namespace: 'default' } });
  const feed = await ChangeFeed.open(join(dir, 'objects'));
  const keys: string[] = [];
  const w = watchObjectChanges(feed, ['Deployment', 'Job'], (k) => keys.push(k));
  try {
    await store.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } });
    await store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' } });
    await store.put({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi-2', namespace: 'dev' } });
    await store.remove('Deployment', 'default', 'web');
    while (keys.length < 3) await sleep(5);
    await feed.poke();
    // Only what changed after the watch began: the old Deployment is the resync's.
    assert.deepEqual(keys, ['Deployment/default/web', 'Job/dev/pi-2', 'Deployment/default/web']);
  } finally {
    w.close();
    feed.close();
    await rm(dir, { recursive: true, force: true });
  }
});
