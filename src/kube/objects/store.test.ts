import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPodctlError } from '../../util/errors.js';
import { ObjectStore, withoutStoreFields, type KubeObject } from './store.js';

const cm = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });

test('the store keeps uid and creation time and gives out one growing resourceVersion', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-store-'));
  try {
    const store = new ObjectStore(dir);
    assert.equal(await store.resourceVersion(), '0');
    const a1 = await store.put(cm('a', { k: '1' }));
    const b1 = await store.put(cm('b', {}));
    const a2 = await store.put(cm('a', { k: '2' }));
    assert.match(a1.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.equal(a2.metadata.uid, a1.metadata.uid);
    assert.notEqual(b1.metadata.uid, a1.metadata.uid);
    assert.equal(a2.metadata.creationTimestamp, a1.metadata.creationTimestamp);
    assert.deepEqual([a1, b1, a2].map((o) => Number(o.metadata.resourceVersion)), [1, 2, 3]);
    assert.deepEqual((await store.get('ConfigMap', 'default', 'a'))?.metadata, a2.metadata);
    assert.equal(await store.remove('ConfigMap', 'default', 'b'), true);
    // Concurrent writers (one process here; the lock is the kernel's across processes) never share a version.
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => store.put(cm(`c${i}`, {}))));
    const versions = many.map((o) => Number(o.metadata.resourceVersion)).sort((x, y) => x - y);
    assert.deepEqual(versions, Array.from({ length: 10 }, (_, i) => 5 + i));
    // A fresh store over the same directory goes on from the counter.
    assert.equal(Number((await new ObjectStore(dir).put(cm('a', {}))).metadata.resourceVersion), 15);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('what the store sets is left out of what a re-apply compares', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-store-'));
  try {
    const stored = await new ObjectStore(dir).put(cm('a', { k: '1' }));
    assert.deepEqual(withoutStoreFields(stored), { ...cm('a', { k: '1' }), metadata: { name: 'a', namespace: 'default', creationTimestamp: stored.metadata.creationTimestamp } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a record's removal takes the temp file a writer killed mid-write left beside it, not a live writer's", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-store-'));
  try {
    const store = new ObjectStore(dir);
    await store.put(cm('a', { k: '1' }));
    await store.put(cm('b', { k: '1' }));
    const kindDir = join(dir, 'objects', 'configmap');
    // Above the kernel's largest pid: no such writer is alive.
    await writeFile(join(kindDir, '.default_a.json.4194305.abc.tmp'), '{');
    await writeFile(join(kindDir, `.default_a.json.${process.pid}.abd.tmp`), '{');
    await writeFile(join(kindDir, '.default_b.json.4194305.abe.tmp'), '{');
    assert.equal(await store.remove('ConfigMap', 'default', 'a'), true);
    assert.deepEqual((await readdir(kindDir)).sort(), [`.default_a.json.${process.pid}.abd.tmp`, '.default_b.json.4194305.abe.tmp', 'default_b.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("strayWrites: a killed writer's temp files in every kind's folder, not the records, not a live writer's", async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'pct-objects-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const store = new ObjectStore(stateDir);
  assert.deepEqual(await store.strayWrites(), [], 'no objects folder yet');
  await store.put({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default' } });
  const jobs = join(stateDir, 'objects', 'job');
  assert.deepEqual(await readdir(jobs), ['default_j.json']);
  // A pid above the kernel's pid_max limit (2^22) never runs: serve killed mid-write.
  const dead = join(jobs, '.default_j.json.99999999.mxbj52i5.tmp');
  await writeFile(dead, '');
  await writeFile(join(jobs, `.default_j.json.${process.pid}.mxbj52i6.tmp`), '');
  await mkdir(join(stateDir, 'objects', 'deployment'));
  const deadDeploy = join(stateDir, 'objects', 'deployment', '.default_d.json.99999998.mxbj52i7.tmp');
  await writeFile(deadDeploy, '{');
  const deadCounter = join(stateDir, 'objects', '.resource-version.99999997.mxbj52i8.tmp');
  await writeFile(deadCounter, '1');
  assert.deepEqual((await store.strayWrites()).sort(), [deadDeploy, dead, deadCounter].sort());
  assert.equal((await store.list('Job')).length, 1, 'the record is read as before');
});

test('a write expecting a resourceVersion: made while the object has it, refused (and nothing written) once another writer came between', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new ObjectStore(dir);
  const read = await store.put(cm('a', { k: '1' }));
  const rv = read.metadata.resourceVersion!;
  const first = store.expecting({ kind: 'ConfigMap', namespace: 'default', name: 'a', resourceVersion: rv });
  const second = store.expecting({ kind: 'ConfigMap', namespace: 'default', name: 'a', resourceVersion: rv });
  // Two clients from the same read, at once: whichever the lock lets in first writes, the other is refused.
  const results = await Promise.allSettled([first.put(cm('a', { k: 'first' })), second.put(cm('a', { k: 'second' }))]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  const winner = results[0].status === 'fulfilled' ? { store: first, loser: second, k: 'first' } : { store: second, loser: first, k: 'second' };
  const err = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
  assert.ok(isPodctlError(err, 'FAILED_PRECONDITION'));
  assert.deepEqual(err.details?.conflict, { kind: 'ConfigMap', namespace: 'default', name: 'a' });
  assert.deepEqual((await store.get('ConfigMap', 'default', 'a'))?.data, { k: winner.k });
  // The winner's next write (a write in steps) is checked against others only.
  assert.deepEqual((await winner.store.put(cm('a', { k: 'again' }))).data, { k: 'again' });
  // Other objects are not held to it; a removal of the object is.
  await winner.loser.put(cm('b', {}));
  await assert.rejects(winner.loser.remove('ConfigMap', 'default', 'a'), (e: unknown) => isPodctlError(e, 'FAILED_PRECONDITION'));
  assert.ok(await store.get('ConfigMap', 'default', 'a'));
  // An object gone since the read is stale too.
  await store.remove('ConfigMap', 'default', 'b');
  const gone = store.expecting({ kind: 'ConfigMap', namespace: 'default', name: 'b', resourceVersion: rv });
  await assert.rejects(gone.put(cm('b', {})), (e: unknown) => isPodctlError(e, 'FAILED_PRECONDITION'));
  assert.equal(await store.get('ConfigMap', 'default', 'b'), undefined);
});

test("a removal expecting a uid: refused for another object of the name (with the field that failed), made for the object's own; a later write of the name is not held to it", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new ObjectStore(dir);
  const made = await store.put(cm('a', { k: '1' }));
  const other = store.expecting({ kind: 'ConfigMap', namespace: 'default', name: 'a', uid: 'not-its-uid' });
  await assert.rejects(other.remove('ConfigMap', 'default', 'a'), (e: unknown) => isPodctlError(e, 'FAILED_PRECONDITION') && JSON.stringify(e.details?.precondition) === JSON.stringify({ field: 'UID', expected: 'not-its-uid', actual: made.metadata.uid }));
  const staleRv = store.expecting({ kind: 'ConfigMap', namespace: 'default', name: 'a', uid: made.metadata.uid!, resourceVersion: '1000' });
  await assert.rejects(staleRv.remove('ConfigMap', 'default', 'a'), (e: unknown) => isPodctlError(e, 'FAILED_PRECONDITION') && (e.details?.precondition as { field: string }).field === 'ResourceVersion');
  assert.ok(await store.get('ConfigMap', 'default', 'a'));
  const own = store.expecting({ kind: 'ConfigMap', namespace: 'default', name: 'a', uid: made.metadata.uid!, resourceVersion: made.metadata.resourceVersion! });
  assert.equal(await own.remove('ConfigMap', 'default', 'a'), true);
  // A delete that puts its object back (its dependents could not go) writes a new object.
  assert.ok(await own.put(cm('a', { k: 'back' })));
});

test("an observed change of a kind that also has records (a Deployment's computed ReplicaSet) is never taken for a record's unfinished write", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new ObjectStore(dir);
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'default' }, spec: { replicas: 1 } };
  await store.observe('ADDED', rs, ['web-abc', '1', '1', '1', '1s']);
  await store.settle();
  assert.equal(await store.get('ReplicaSet', 'default', 'web-abc'), undefined);
  assert.deepEqual(await store.list('ReplicaSet'), []);
});
