import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector, selectorPredicate } from './selector.js';

test('-l selectors as kubectl reads them', () => {
  const l = { app: 'web', tier: 'front', env: 'prod' };
  assert.equal(parseSelector('app=web')(l), true);
  assert.equal(parseSelector('app==web,tier!=db')(l), true);
  assert.equal(parseSelector('env in (prod, staging),app')(l), true);
  assert.equal(parseSelector('env notin (prod)')(l), false);
  assert.equal(parseSelector('!tier')(l), false);
  assert.equal(parseSelector('!missing')(l), true);
  assert.equal(parseSelector('app=db')(l), false);
  assert.throws(() => parseSelector('app=(x'), /not valid/);
});

test('spec.selector with matchLabels and matchExpressions', () => {
  const p = selectorPredicate({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] });
  assert.equal(p({ app: 'web', tier: 'front' }), true);
  assert.equal(p({ app: 'web' }), false);
});
