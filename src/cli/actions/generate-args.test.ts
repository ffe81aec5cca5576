import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentNames } from './kube.js';

test('kube generate reads deployment NAME..., deploy/NAME, or else pod names', () => {
  assert.deepEqual(deploymentNames(['deployment', 'web', 'api']), ['web', 'api']);
  assert.deepEqual(deploymentNames(['deploy/web', 'deployment.apps/api']), ['web', 'api']);
  assert.equal(deploymentNames(['web', 'api']), undefined);
  assert.equal(deploymentNames(['deployment']), undefined, 'a lone word is a pod of that name');
  assert.throws(() => deploymentNames(['deploy/web', 'db']), /pods or deployments, not both/);
});
