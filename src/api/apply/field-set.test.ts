import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, fromFieldsV1, keyElement, pathString, toFieldsV1, valueElement } from './field-set.js';

// A Deployment's fields as the API server records them for `kubectl apply --server-side`.
const FIELDS_V1 = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} }, 'f:finalizers': { 'v:"a"': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:template': {
      'f:spec': {
        'f:containers': {
          'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } },
        },
      },
    },
  },
};

test('FieldsV1 decodes to its members and encodes back to the same tree', () => {
  const set = fromFieldsV1(FIELDS_V1);
  assert.ok(set.has(['f:spec', 'f:replicas']));
  assert.ok(set.has(['f:metadata', 'f:labels']), 'a member with members under it (".")');
  assert.ok(set.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}']));
  assert.ok(!set.has(['f:spec']), 'a map passed through is not a member');
  assert.equal(set.size, 9);
  assert.deepEqual(toFieldsV1(set), FIELDS_V1);
});

test('what is not FieldsV1 is refused', () => {
  assert.throws(() => fromFieldsV1({ 'f:spec': [] }), /not a FieldsV1 node at \.spec/);
  assert.throws(() => fromFieldsV1({ 'x:spec': {} }), /unknown FieldsV1 element/);
});

test('key elements name their fields in name order; values are JSON', () => {
  assert.equal(keyElement({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(valueElement('x'), 'v:"x"');
});

test('paths print as the API server prints them in conflicts', () => {
  assert.equal(pathString(['f:spec', 'f:replicas']), '.spec.replicas');
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']), '.spec.containers[name="web"].image');
  assert.equal(pathString(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']), '.spec.ports[port=80,protocol="TCP"]');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]');
});

test('set algebra', () => {
  const a = new FieldSet([['f:a'], ['f:b']]);
  const b = new FieldSet([['f:b'], ['f:c']]);
  assert.deepEqual(a.union(b).paths(), [['f:a'], ['f:b'], ['f:c']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:b']]);
  assert.deepEqual(a.difference(b).paths(), [['f:a']]);
});
