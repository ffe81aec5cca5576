import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptedRefs, controllerRef, liveOwners, orphanedPods, podsToAdopt, replicaSetUid, replicaSetsToAdopt, withoutOwner } from './owners.js';

test("a Deployment's ReplicaSet uid is stable per Deployment uid and hash, differs otherwise, and looks like a UUID", () => {
  const a = replicaSetUid('0b6c1d5e-1111-4222-8333-444455556666', '5d9c7f8b6');
  assert.equal(a, replicaSetUid('0b6c1d5e-1111-4222-8333-444455556666', '5d9c7f8b6'));
  assert.notEqual(a, replicaSetUid('0b6c1d5e-1111-4222-8333-444455556666', '7f8d9c5b4'));
  assert.notEqual(a, replicaSetUid('9b6c1d5e-1111-4222-8333-444455556666', '5d9c7f8b6'));
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('controller references name the kind with its apiVersion', () => {
  assert.deepEqual(controllerRef('Job', 'pi', 'u1'), { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'u1', controller: true, blockOwnerDeletion: true });
  assert.equal(controllerRef('ReplicaSet', 'web-abc', 'u2').apiVersion, 'apps/v1');
});

test('pods whose controlling owner is gone, or is another object of the same name, are garbage; bare pods and owned ones are not', () => {
  const deploy = { kind: 'Deployment', namespace: 'default', name: 'web', uid: 'd1' };
  const job = { kind: 'Job', namespace: 'default', name: 'pi', uid: 'j1' };
  const owners = liveOwners([deploy, job], (d) => (d.name === 'web' ? ['h1'] : []));
  const rs = (hash: string, uid = replicaSetUid('d1', hash)) => [controllerRef('ReplicaSet', `web-${hash}`, uid)];
  const pods = [
    { name: 'web-h1-a', namespace: 'default', ownerReferences: rs('h1') },
    { name: 'web-h2-a', namespace: 'default', ownerReferences: rs('h2') },
    { name: 'pi-a', namespace: 'default', ownerReferences: [controllerRef('Job', 'pi', 'j1')] },
    { name: 'pi-old', namespace: 'default', ownerReferences: [controllerRef('Job', 'pi', 'j0')] },
    { name: 'other-ns', namespace: 'prod', ownerReferences: [controllerRef('Job', 'pi', 'j1')] },
    { name: 'bare', namespace: 'default' },
    { name: 'orphaned', namespace: 'default', ownerReferences: [] },
  ];
  assert.deepEqual(orphanedPods(pods, owners).map((p) => p.name), ['web-h2-a', 'pi-old', 'other-ns']);
});

test('orphaning removes only the deleted owner’s reference', () => {
  const refs = [controllerRef('Job', 'pi', 'j1'), { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'c1' }];
  assert.deepEqual(withoutOwner(refs, 'j1'), [refs[1]]);
  assert.deepEqual(withoutOwner(undefined, 'j1'), []);
});

test("a Deployment takes back the orphan ReplicaSets of a Deployment its selector matches; not another controller's, a bare one or one being deleted", () => {
  const rs = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({ metadata: { name, uid: `u-${name}`, labels, ...extra } });
  const records = [
    rs('web-h1', { app: 'web', 'pod-template-hash': 'h1' }),
    rs('web-h0', { app: 'web', 'pod-template-hash': 'h0' }),
    rs('owned', { app: 'web', 'pod-template-hash': 'h2' }, { ownerReferences: [controllerRef('Deployment', 'other', 'd9')] }),
    rs('going', { app: 'web', 'pod-template-hash': 'h3' }, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    rs('bare', { app: 'web' }),
    rs('api-h1', { app: 'api', 'pod-template-hash': 'h1' }),
  ];
  assert.deepEqual(replicaSetsToAdopt(records, (l) => l.app === 'web').map((o) => o.metadata.name), ['web-h1', 'web-h0']);
});

test("a controller adopts its pods without a controller and those of the ReplicaSets it takes back; not another live controller's", () => {
  const want = (p: { hash: string }) => controllerRef('ReplicaSet', `web-${p.hash}`, replicaSetUid('d2', p.hash));
  const pods = [
    { name: 'kept', hash: 'h1', ownerReferences: [controllerRef('ReplicaSet', 'web-h1', replicaSetUid('d1', 'h1'))] },
    { name: 'bare', hash: 'h1' },
    { name: 'cm-only', hash: 'h1', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'c1' }] },
    { name: 'mine', hash: 'h1', ownerReferences: [want({ hash: 'h1' })] },
    { name: 'theirs', hash: 'h1', ownerReferences: [controllerRef('ReplicaSet', 'other', 'o1')] },
  ];
  const adopted = podsToAdopt(pods, want, new Set([replicaSetUid('d1', 'h1')]));
  assert.deepEqual(adopted.map((p) => p.name), ['kept', 'bare', 'cm-only']);
  // The controller reference is replaced; other references stay.
  assert.deepEqual(adoptedRefs(pods[0]!.ownerReferences, want(pods[0]!)), [want(pods[0]!)]);
  assert.deepEqual(adoptedRefs(pods[2]!.ownerReferences, want(pods[2]!)), [pods[2]!.ownerReferences![0], want(pods[2]!)]);
  assert.deepEqual(adoptedRefs(undefined, want(pods[1]!)), [want(pods[1]!)]);
});
