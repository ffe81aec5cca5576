import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namedObjects, parseResourceArgs } from './resource-args.js';
import { kindOf } from './resource-names.js';

const refused = (fn: () => unknown, text: RegExp) => assert.throws(fn, (err: { code?: string; message?: string }) => err.code === 'INVALID_ARGUMENT' && text.test(err.message ?? ''));

test("kubectl's forms: TYPE, TYPE1,TYPE2, TYPE NAME..., TYPE1,TYPE2 NAME, TYPE/NAME...", () => {
  assert.deepEqual(parseResourceArgs(['pods'], 'get'), [{ resource: 'pods', names: [] }]);
  assert.deepEqual(parseResourceArgs(['pods,deploy'], 'get'), [{ resource: 'pods', names: [] }, { resource: 'deploy', names: [] }]);
  assert.deepEqual(parseResourceArgs(['pod', 'a', 'b'], 'delete'), [{ resource: 'pod', names: ['a', 'b'] }]);
  assert.deepEqual(parseResourceArgs(['deploy,svc', 'web'], 'get'), [{ resource: 'deploy', names: ['web'] }, { resource: 'svc', names: ['web'] }]);
  assert.deepEqual(parseResourceArgs(['pod/a', 'pod/b', 'deployment.apps/web', 'pod/c'], 'get'), [
    { resource: 'pod', names: ['a', 'b'] },
    { resource: 'deployment.apps', names: ['web'] },
    { resource: 'pod', names: ['c'] },
  ]);
  assert.deepEqual(parseResourceArgs([], 'get'), []);
});

test("kubectl's errors for the forms it refuses", () => {
  refused(() => parseResourceArgs(['pod', 'pod/a'], 'get'), /no need to specify a resource type as a separate argument when passing arguments in resource\/name form \(e\.g\. 'podctl get resource\/<resource_name>'/);
  refused(() => parseResourceArgs(['pod/a/b'], 'get'), /may not have more than one slash/);
  refused(() => parseResourceArgs(['pod/'], 'delete'), /must have a single resource and name/);
  refused(() => parseResourceArgs(['/a'], 'delete'), /must have a single resource and name/);
  refused(() => parseResourceArgs(['pod,svc/a'], 'get'), /must have a single resource and name/);
  refused(() => parseResourceArgs([','], 'get'), /names no resource type/);
});

test('namedObjects: one object per name, a type without names is refused', () => {
  assert.deepEqual(namedObjects(['deploy', 'a', 'b'], 'scale'), [{ resource: 'deploy', name: 'a' }, { resource: 'deploy', name: 'b' }]);
  assert.deepEqual(namedObjects(['deploy/a', 'rs/b'], 'scale'), [{ resource: 'deploy', name: 'a' }, { resource: 'rs', name: 'b' }]);
  refused(() => namedObjects(['deployment'], 'scale'), /resource\(s\) were provided, but no name was specified/);
  refused(() => namedObjects([], 'wait'), /must provide one or more resources/);
});

test('resource names: singular, plural, short and what -o name prints', () => {
  for (const r of ['deployment', 'deployments', 'deploy', 'deployment.apps', 'Deployment']) assert.equal(kindOf(r), 'Deployment');
  assert.equal(kindOf('job.batch'), 'Job');
  assert.equal(kindOf('sts'), 'StatefulSet');
  assert.equal(kindOf('gadget'), undefined);
});
