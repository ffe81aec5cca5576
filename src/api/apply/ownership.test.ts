import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromFieldsV1 } from './field-set.js';
import { mergeApplied } from './merge.js';
import { ApplyConflicts, BEFORE_FIRST_APPLY, applyConfiguration, recordUpdate, type ManagedFieldsEntry, type Manager } from './ownership.js';

type JsonMap = Record<string, unknown>;

const config = (replicas: number, env: Array<{ name: string; value: string }>, labels: Record<string, string> = { app: 'web' }): JsonMap => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', env, ports: [{ containerPort: 80 }] }] } } },
});

const APPLIER: Manager = { manager: 'kubectl', operation: 'Apply' };
const SCALER: Manager = { manager: 'kubectl', operation: 'Update', subresource: 'scale' };
const at = (who: Manager, force = false) => ({ who, apiVersion: 'apps/v1', time: '2026-12-06T17:00:00Z', kind: 'Deployment', force });

/** The object as the server keeps it: what was applied plus defaults and identity. */
const stored = (obj: JsonMap): JsonMap => ({ ...obj, metadata: { ...(obj.metadata as JsonMap), uid: 'u1', resourceVersion: '7' }, spec: { ...(obj.spec as JsonMap), progressDeadlineSeconds: 600 }, status: { replicas: 1 } });

const ownedBy = (entries: ManagedFieldsEntry[], who: Manager) => {
  const e = entries.find((x) => x.manager === who.manager && x.operation === who.operation && (x.subresource ?? '') === (who.subresource ?? ''));
  return e ? fromFieldsV1(e.fieldsV1) : undefined;
};

test('an apply that creates: the applier owns what it sent, by key for containers, ports (with the default protocol) and env', () => {
  const { object, managedFields } = applyConfiguration([], undefined, config(2, [{ name: 'A', value: '1' }]), at(APPLIER));
  assert.equal((object.spec as JsonMap).replicas, 2);
  assert.equal(managedFields.length, 1);
  assert.equal(managedFields[0]!.manager, 'kubectl');
  assert.equal(managedFields[0]!.operation, 'Apply');
  const container = ((managedFields[0]!.fieldsV1['f:spec'] as JsonMap)['f:template'] as { 'f:spec': { 'f:containers': JsonMap } })['f:spec']['f:containers']['k:{"name":"web"}'] as JsonMap;
  assert.deepEqual(Object.keys(container).sort(), ['.', 'f:env', 'f:image', 'f:name', 'f:ports']);
  assert.ok('k:{"containerPort":80,"protocol":"TCP"}' in (container['f:ports'] as JsonMap));
  assert.ok('k:{"name":"A"}' in (container['f:env'] as JsonMap));
});

test('the same apply again changes nothing, and conflicts with no one', () => {
  const first = applyConfiguration([], undefined, config(2, []), at(APPLIER));
  const live = stored(first.object);
  const again = applyConfiguration(first.managedFields, live, config(2, []), { ...at(APPLIER), time: '2026-12-06T18:00:00Z' });
  assert.deepEqual(again.object, live);
  assert.deepEqual(again.managedFields, first.managedFields);
});

test('a field another manager changed since is a conflict naming the field and the manager; force takes it', () => {
  const first = applyConfiguration([], undefined, config(2, []), at(APPLIER));
  const before = stored(first.object);
  const scaled = { ...before, spec: { ...(before.spec as JsonMap), replicas: 5 } };
  const entries = recordUpdate(first.managedFields, before, scaled, at(SCALER));
  assert.ok(ownedBy(entries, SCALER)!.has(['f:spec', 'f:replicas']));
  assert.ok(!ownedBy(entries, APPLIER)!.has(['f:spec', 'f:replicas']), 'an update takes the field from the applier');
  assert.throws(
    () => applyConfiguration(entries, scaled, config(2, []), at(APPLIER)),
    (err: unknown) => err instanceof ApplyConflicts && err.message === 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas' && err.conflicts.length === 1,
  );
  // The same value as live is no conflict: the field is shared.
  const shared = applyConfiguration(entries, scaled, config(5, []), at(APPLIER));
  assert.ok(ownedBy(shared.managedFields, SCALER)!.has(['f:spec', 'f:replicas']));
  assert.ok(ownedBy(shared.managedFields, APPLIER)!.has(['f:spec', 'f:replicas']));
  const forced = applyConfiguration(entries, scaled, config(2, []), at(APPLIER, true));
  assert.equal((forced.object.spec as JsonMap).replicas, 2);
  assert.equal(ownedBy(forced.managedFields, SCALER), undefined, 'the scaler owned nothing else: its entry goes');
});

test('a field the applier no longer sends is removed, unless another manager owns it', () => {
  const first = applyConfiguration([], undefined, config(2, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], { app: 'web', tier: 'front' }), at(APPLIER));
  const live = stored(first.object);
  const next = applyConfiguration(first.managedFields, live, config(2, [{ name: 'A', value: '1' }]), at(APPLIER));
  const container = (((next.object.spec as JsonMap).template as JsonMap).spec as { containers: JsonMap[] }).containers[0]!;
  assert.deepEqual(container.env, [{ name: 'A', value: '1' }]);
  assert.deepEqual((next.object.metadata as JsonMap).labels, { app: 'web' });
  assert.equal((next.object.spec as JsonMap).progressDeadlineSeconds, 600, 'a default no one applied stays');
  // Another manager's label stays when the applier drops it.
  const labelled = { ...live, metadata: { ...(live.metadata as JsonMap), labels: { app: 'web', tier: 'front', team: 'a' } } };
  const edited = recordUpdate(first.managedFields, live, labelled, at({ manager: 'kubectl-label', operation: 'Update' }));
  const kept = applyConfiguration(edited, labelled, config(2, [], { app: 'web', team: 'a' }), at(APPLIER));
  assert.deepEqual((kept.object.metadata as JsonMap).labels, { app: 'web', team: 'a' });
});

test('the first apply to an object with no recorded managers conflicts with what it had before', () => {
  const live = stored(config(3, []));
  assert.throws(() => applyConfiguration([], live, config(2, []), at(APPLIER)), (err: unknown) => err instanceof ApplyConflicts && err.conflicts[0]!.who.manager === BEFORE_FIRST_APPLY);
});

test('an update owns what it set, a create everything; several conflicts are grouped by manager', () => {
  const created = recordUpdate([], undefined, stored(config(1, [])), at({ manager: 'kubectl-create', operation: 'Update' }));
  const set = ownedBy(created, { manager: 'kubectl-create', operation: 'Update' })!;
  assert.ok(set.has(['f:spec', 'f:progressDeadlineSeconds']));
  assert.ok(!set.has(['f:status', 'f:replicas']), 'status is not tracked on the object');
  assert.ok(!set.has(['f:metadata', 'f:uid']));
  try {
    applyConfiguration(created, stored(config(1, [])), config(2, [{ name: 'A', value: '1' }], { app: 'other' }), at(APPLIER));
    assert.fail('conflicts expected');
  } catch (err) {
    assert.ok(err instanceof ApplyConflicts);
    assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .metadata.labels.app\n- .spec.replicas');
  }
});

test('merge: associative lists by key, sets as a union, other lists replaced', () => {
  const live = { metadata: { name: 'x', finalizers: ['a'] }, spec: { template: { spec: { containers: [{ name: 'a', image: 'one', args: ['1', '2'] }, { name: 'b', image: 'two' }] } } } };
  const merged = mergeApplied(live, { metadata: { finalizers: ['b'] }, spec: { template: { spec: { containers: [{ name: 'b', image: 'three' }, { name: 'a', args: ['3'] }] } } } }, 'Deployment');
  assert.deepEqual(merged, { metadata: { name: 'x', finalizers: ['a', 'b'] }, spec: { template: { spec: { containers: [{ name: 'a', image: 'one', args: ['3'] }, { name: 'b', image: 'three' }] } } } });
});
