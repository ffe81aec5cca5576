import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusOf } from './status.js';
import { causeOf, checkResourceVersion, deleteOptions, dryRunOf, fieldManagerOf } from './write.js';
import { isPodctlError } from '../util/errors.js';
import { findResource } from './resources.js';
import { preconditionFailed, unmetPrecondition } from './delete.js';

test("podctl's problem lines become the causes of an Invalid: the field path, then the message", () => {
  assert.deepEqual(causeOf('metadata.name: must be a lowercase DNS-1123 name'), { field: 'metadata.name', message: 'must be a lowercase DNS-1123 name' });
  assert.deepEqual(causeOf('spec.template.spec.containers[0].ports[1].containerPort: must be 1-65535'), { field: 'spec.template.spec.containers[0].ports[1].containerPort', message: 'must be 1-65535' });
  assert.deepEqual(causeOf('Deployment web is given twice'), { message: 'Deployment web is given twice' });
});

test('DeleteOptions from the query or the body; bad values are a BadRequest', () => {
  assert.deepEqual(deleteOptions(new URLSearchParams('gracePeriodSeconds=0&propagationPolicy=Foreground'), undefined), { gracePeriodSeconds: 0, propagationPolicy: 'Foreground' });
  assert.deepEqual(deleteOptions(new URLSearchParams('gracePeriodSeconds=5'), { kind: 'DeleteOptions', propagationPolicy: 'Background', gracePeriodSeconds: 1 }), { gracePeriodSeconds: 1, propagationPolicy: 'Background' });
  assert.deepEqual(deleteOptions(new URLSearchParams(), {}), {});
  assert.equal(statusOf(captured(() => deleteOptions(new URLSearchParams('gracePeriodSeconds=-1'), undefined))).code, 400);
  assert.equal(statusOf(captured(() => deleteOptions(new URLSearchParams('propagationPolicy=Later'), undefined))).reason, 'BadRequest');
});

test('DeleteOptions preconditions: uid and resourceVersion from the body, nulls left out; a value that is not a string is a BadRequest', () => {
  assert.deepEqual(deleteOptions(new URLSearchParams(), { preconditions: { uid: 'u1', resourceVersion: '7' } }), { preconditions: { uid: 'u1', resourceVersion: '7' } });
  assert.deepEqual(deleteOptions(new URLSearchParams(), { preconditions: { uid: null, resourceVersion: '7' } }), { preconditions: { resourceVersion: '7' } });
  assert.deepEqual(deleteOptions(new URLSearchParams(), { preconditions: { uid: null, resourceVersion: null } }), {});
  assert.equal(statusOf(captured(() => deleteOptions(new URLSearchParams(), { preconditions: { resourceVersion: 7 } }))).code, 400);
  assert.equal(statusOf(captured(() => deleteOptions(new URLSearchParams(), { preconditions: 'u1' }))).reason, 'BadRequest');
});

test("a delete's preconditions: uid checked before resourceVersion; what fails is the API server's Conflict in its words", () => {
  assert.equal(unmetPrecondition({ uid: 'u1', resourceVersion: '7' }, { uid: 'u1', resourceVersion: '7' }), undefined);
  assert.equal(unmetPrecondition({ uid: 'u1', resourceVersion: '7' }, {}), undefined);
  assert.deepEqual(unmetPrecondition({ uid: 'u1', resourceVersion: '7' }, { uid: 'u2', resourceVersion: '6' }), { field: 'UID', expected: 'u2', actual: 'u1' });
  assert.deepEqual(unmetPrecondition({ uid: 'u1' }, { resourceVersion: '6' }), { field: 'ResourceVersion', expected: '6', actual: '' });
  const status = statusOf(preconditionFailed(findResource('apps', 'v1', 'deployments')!, 'web', { field: 'UID', expected: 'u2', actual: 'u1' }));
  assert.equal(status.code, 409);
  assert.equal(status.reason, 'Conflict');
  assert.equal(status.message, 'Operation cannot be fulfilled on deployments.apps "web": Precondition failed: UID in precondition: u2, UID in object meta: u1');
  assert.deepEqual(status.details, { name: 'web', group: 'apps', kind: 'deployments' });
});

test('a stale resourceVersion is a 409 Conflict in the API server words; none or the current one passes; dryRun takes All only', () => {
  const cm = findResource('', 'v1', 'configmaps')!;
  const existing = { metadata: { name: 'c', resourceVersion: '7' } };
  checkResourceVersion(cm, 'c', undefined, existing);
  checkResourceVersion(cm, 'c', '7', existing);
  const status = statusOf(captured(() => checkResourceVersion(cm, 'c', '6', existing)));
  assert.equal(status.code, 409);
  assert.equal(status.reason, 'Conflict');
  assert.equal(status.message, 'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again');
  assert.deepEqual(status.details, { name: 'c', kind: 'configmaps' });
  const pod = findResource('', 'v1', 'pods')!;
  assert.deepEqual(statusOf(captured(() => checkResourceVersion(pod, 'p', '6', { metadata: { resourceVersion: '9' } }))).details, { name: 'p', kind: 'pods' });
  // An object never written (the made `default` ServiceAccount) has no version to be stale against.
  checkResourceVersion(findResource('', 'v1', 'serviceaccounts')!, 'default', '123', { metadata: { name: 'default' } });
  assert.equal(dryRunOf(new URLSearchParams('dryRun=All')), true);
  assert.equal(dryRunOf(new URLSearchParams()), false);
  assert.equal(statusOf(captured(() => dryRunOf(new URLSearchParams('dryRun=Some')))).code, 400);
});

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}

test('the manager of a write: fieldManager, else the User-Agent up to its first slash, as the API server names it', () => {
  assert.equal(fieldManagerOf(new URLSearchParams('fieldManager=kubectl-edit'), 'kubectl/v1.33.0 (linux/amd64)'), 'kubectl-edit');
  assert.equal(fieldManagerOf(new URLSearchParams(), 'kubectl/v1.33.0 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(fieldManagerOf(new URLSearchParams(), 'python-requests/2.31'), 'python-requests');
  assert.throws(() => fieldManagerOf(new URLSearchParams(`fieldManager=${'m'.repeat(129)}`), undefined), (err: unknown) => isPodctlError(err, 'INVALID_ARGUMENT') && /may not be longer than 128/.test(err.message));
});
