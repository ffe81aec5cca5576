import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPodctlError } from '../../util/errors.js';
import { ChangeFeed, type FeedEvent } from './change-feed.js';
import { ChangeLog } from './change-log.js';
import { ObjectStore, type KubeObject } from './store.js';

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });
const summary = (events: FeedEvent[]) => events.map((e) => `${e.type} ${e.object.metadata.name}@${e.rv}`);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-feed-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Resolves once `events` holds `n` events (the feed reads on after inotify wakes it). */
async function until(events: FeedEvent[], n: number, feed: ChangeFeed): Promise<void> {
  while (events.length < n) {
    await feed.poke();
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('every store write is logged in order with its resourceVersion; a delete carries the last object', async () => {
  await withDir(async (dir) => {
    const store = new ObjectStore(dir);
    const a1 = await store.put(cm('a', { k: '1' }));
    await store.put(cm('a', { k: '2' }));
    await store.remove('ConfigMap', 'default', 'a');
    // Removing what is not there logs nothing.
    await store.remove('ConfigMap', 'default', 'a');
    const text = await readFile(store.log.current, 'utf8');
    const [header, ...lines] = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(header, { floor: 0 });
    assert.deepEqual(lines.map((l) => [l.type, l.rv]), [['ADDED', 1], ['MODIFIED', 2], ['DELETED', 3]]);
    const deleted = lines[2]!.object as KubeObject;
    assert.deepEqual(deleted.data, { k: '2' });
    assert.equal(deleted.metadata.resourceVersion, '3');
    assert.equal(deleted.metadata.uid, a1.metadata.uid);
  });
});

test('a writer killed after its log line and before its record: the next write finishes the record first', async () => {
  await withDir(async (dir) => {
    const store = new ObjectStore(dir);
    await store.put(cm('a', { k: '1' }));
    // What the killed writer left: the counter bumped and the line logged, the record still the old one.
    await writeFile(join(dir, 'objects', 'resource-version'), '2\n');
    const logged = { ...cm('a', { k: '2' }), metadata: { name: 'a', namespace: 'default', resourceVersion: '2', uid: 'u' } };
    await appendFile(store.log.current, JSON.stringify({ rv: 2, type: 'MODIFIED', object: logged }) + '\n');
    // And a second writer killed mid-line: no newline, never committed.
    await appendFile(store.log.current, '{"rv":3,"type":"DEL');
    await store.put(cm('b'));
    assert.deepEqual((await store.get('ConfigMap', 'default', 'a'))?.data, { k: '2' });
    const lines = (await readFile(store.log.current, 'utf8')).trim().split('\n').slice(1).map((l) => JSON.parse(l) as { rv: number });
    assert.deepEqual(lines.map((l) => l.rv), [1, 2, 3]);
  });
});

test('a delete logged and not done is done by the next write', async () => {
  await withDir(async (dir) => {
    const store = new ObjectStore(dir);
    const a = await store.put(cm('a'));
    await writeFile(join(dir, 'objects', 'resource-version'), '2\n');
    await appendFile(store.log.current, JSON.stringify({ rv: 2, type: 'DELETED', object: { ...a, metadata: { ...a.metadata, resourceVersion: '2' } } }) + '\n');
    await store.put(cm('b'));
    assert.equal(await store.get('ConfigMap', 'default', 'a'), undefined);
  });
});

test('a reader that heard of a change from the log before its record was written: the feed says the record lags, settle brings it up to date', async () => {
  await withDir(async (dir) => {
    const store = new ObjectStore(dir);
    const a = await store.put(cm('a', { k: '1' }));
    const feed = await ChangeFeed.open(join(dir, 'objects'));
    try {
      // A writer between its log line and its record (here: killed there): the log says rv 2, the record is rv 1.
      await writeFile(join(dir, 'objects', 'resource-version'), '2\n');
      const logged = { ...cm('a', { k: '2' }), metadata: { ...a.metadata, resourceVersion: '2' } };
      await appendFile(store.log.current, JSON.stringify({ rv: 2, type: 'MODIFIED', object: logged }) + '\n');
      await feed.poke();
      assert.deepEqual(feed.lastChangeOf('ConfigMap/default/a'), { rv: 2, deleted: false, observed: false });
      assert.equal((await store.get('ConfigMap', 'default', 'a'))?.metadata.resourceVersion, '1');
      await store.settle();
      assert.deepEqual((await store.get('ConfigMap', 'default', 'a'))?.data, { k: '2' });
      // A deletion is known while the history holds it; an object never logged is not.
      await store.remove('ConfigMap', 'default', 'a');
      await feed.poke();
      assert.deepEqual(feed.lastChangeOf('ConfigMap/default/a'), { rv: 3, deleted: true, observed: false });
      assert.equal(feed.lastChangeOf('ConfigMap/default/nobody'), undefined);
    } finally {
      feed.close();
    }
  });
});

test('the feed replays from a resourceVersion, goes on live with writes of another store, and knows the previous object', async () => {
  await withDir(async (dir) => {
    const writer = new ObjectStore(dir);
    await writer.put(cm('a', { k: '1' }));
    await writer.put(cm('b'));
    const feed = await ChangeFeed.open(join(dir, 'objects'));
    try {
      assert.equal(feed.last, 2);
      const events: FeedEvent[] = [];
      feed.subscribe(1, (e) => events.push(e));
      assert.deepEqual(summary(events), ['ADDED b@2']);
      await writer.put(cm('a', { k: '2' }));
      await writer.remove('ConfigMap', 'default', 'b');
      await until(events, 3, feed);
      assert.deepEqual(summary(events), ['ADDED b@2', 'MODIFIED a@3', 'DELETED b@4']);
      assert.deepEqual(events[1]!.previous?.data, { k: '1' });
      const all: FeedEvent[] = [];
      feed.subscribe(0, (e) => all.push(e));
      assert.deepEqual(summary(all), ['ADDED a@1', 'ADDED b@2', 'MODIFIED a@3', 'DELETED b@4']);
    } finally {
      feed.close();
    }
  });
});

test('history is bounded: a resourceVersion older than it is EXPIRED; the log rotates and the feed follows it', async () => {
  await withDir(async (dir) => {
    const store = new ObjectStore(dir);
    // A small segment so that a few writes rotate the file.
    (store as unknown as { log: ChangeLog }).log = new ChangeLog(join(dir, 'objects'), 600);
    for (let i = 0; i < 6; i++) await store.put(cm(`c${i}`));
    const feed = await ChangeFeed.open(join(dir, 'objects'), { maxChanges: 4 });
    try {
      assert.equal(feed.last, 6);
      // At most 4 changes kept, and the disk's two segments may hold fewer.
      assert.ok(feed.floor >= 2 && feed.floor < 6, `floor ${feed.floor}`);
      const floor = feed.floor;
      assert.throws(() => feed.subscribe(floor - 1, () => undefined), (err) => isPodctlError(err, 'EXPIRED') && err.message === `too old resource version: ${floor - 1} (${floor + 1})`);
      const events: FeedEvent[] = [];
      feed.subscribe(floor, (e) => events.push(e));
      for (let i = 6; i < 14; i++) await store.put(cm(`c${i}`));
      await until(events, 14 - floor, feed);
      assert.deepEqual(events.map((e) => e.rv), Array.from({ length: 14 - floor }, (_, i) => floor + 1 + i));
      assert.equal(feed.floor, 10);
      // Each object's last state is known beyond the history kept (a restarted serve compares with it).
      const known = new Set([...feed.lastChanges()].map((c) => c.object.metadata.name));
      for (let i = 6; i < 14; i++) assert.ok(known.has(`c${i}`), `c${i}`);
    } finally {
      feed.close();
    }
    // On disk: at most two segments, the older one's floor telling where history starts.
    const older = (await readFile(join(dir, 'objects', 'changes.1.log'), 'utf8')).split('\n')[0]!;
    assert.match(older, /^\{"floor":\d+\}$/);
  });
});

test('a serve started again reads the history from the log, whatever the counter says now', async () => {
  await withDir(async (dir) => {
    const store = new ObjectStore(dir);
    for (const n of ['a', 'b', 'c']) await store.put(cm(n));
    const feed = await ChangeFeed.open(join(dir, 'objects'), { initialFloor: Number(await store.resourceVersion()) });
    try {
      const events: FeedEvent[] = [];
      feed.subscribe(1, (e) => events.push(e));
      assert.deepEqual(summary(events), ['ADDED b@2', 'ADDED c@3']);
    } finally {
      feed.close();
    }
  });
});

test('a store written before the log existed: the feed starts at the counter, not at 0', async () => {
  await withDir(async (dir) => {
    const feed = await ChangeFeed.open(join(dir, 'objects'), { initialFloor: 7 });
    try {
      assert.equal(feed.floor, 7);
      assert.throws(() => feed.subscribe(3, () => undefined), (err) => isPodctlError(err, 'EXPIRED'));
      assert.doesNotThrow(() => feed.subscribe(7, () => undefined)());
    } finally {
      feed.close();
    }
  });
});

test('changes observed, not stored (pods), get their resourceVersion and place in the same log', async () => {
  await withDir(async (dir) => {
    const store = new ObjectStore(dir);
    await store.put(cm('a'));
    const pod = await store.observe('ADDED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } }, ['p', '1/1']);
    assert.equal(pod.metadata.resourceVersion, '2');
    await store.put(cm('b'));
    const feed = await ChangeFeed.open(join(dir, 'objects'));
    try {
      const events: FeedEvent[] = [];
      feed.subscribe(0, (e) => events.push(e));
      assert.deepEqual(summary(events), ['ADDED a@1', 'ADDED p@2', 'ADDED b@3']);
      assert.deepEqual(events[1]!.row, ['p', '1/1']);
    } finally {
      feed.close();
    }
  });
});

test('an observed change of a kind that also has records (a ReplicaSet shown from its pods) never becomes a record', async () => {
  await withDir(async (dir) => {
    const store = new ObjectStore(dir);
    await store.observe('ADDED', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default' } });
    const feed = await ChangeFeed.open(join(dir, 'objects'));
    try {
      assert.deepEqual(feed.lastChangeOf('ReplicaSet/default/web-1'), { rv: 1, deleted: false, observed: true });
      await store.settle();
      assert.equal(await store.get('ReplicaSet', 'default', 'web-1'), undefined);
    } finally {
      feed.close();
    }
  });
});
