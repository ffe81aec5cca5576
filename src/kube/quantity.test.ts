import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from './quantity.js';

test('quantities as the Kubernetes docs write them', () => {
  assert.equal(parseQuantity('128Mi'), 134217728);
  assert.equal(parseQuantity('129M'), 129e6);
  assert.equal(parseQuantity('1Gi'), 2 ** 30);
  assert.equal(parseQuantity('500m'), 0.5);
  assert.equal(parseQuantity('0.5'), 0.5);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(parseQuantity(2), 2);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('123Mb'), undefined);
  assert.equal(parseQuantity('-1'), undefined);
  assert.equal(parseQuantity(''), undefined);
});
