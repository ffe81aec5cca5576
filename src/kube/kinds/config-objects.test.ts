import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fields, ManifestIssues } from '../fields.js';
import { readConfigObject } from './config-objects.js';

const read = (value: unknown, kind: string) => {
  const issues = new ManifestIssues();
  const obj = readConfigObject(Fields.of(value, '', issues)!, kind, 'default');
  return { obj, errors: issues.errors.map((e) => `${e.path}: ${e.reason}`) };
};

test('a ServiceAccount is kept with its labels, annotations and account fields, in the default namespace', () => {
  const { obj, errors } = read({
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: 'web.app', labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'web' } },
    automountServiceAccountToken: true, imagePullSecrets: [{ name: 'registry' }],
  }, 'ServiceAccount');
  assert.deepEqual(errors, []);
  assert.deepEqual(obj, {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: 'web.app', namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'web' } },
    imagePullSecrets: [{ name: 'registry' }], automountServiceAccountToken: true,
  });
});

test('a ServiceAccount name must be a DNS subdomain; a Secret keeps its type (helm.sh/release.v1)', () => {
  assert.deepEqual(read({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'Bad_Name' } }, 'ServiceAccount').errors, ['metadata.name: must be a lowercase DNS-1123 name']);
  const { obj } = read({ apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1', metadata: { name: 'sh.helm.release.v1.web.v1', labels: { owner: 'helm' } }, data: { release: 'SDRzSQ==' } }, 'Secret');
  assert.equal(obj?.type, 'helm.sh/release.v1');
  assert.deepEqual(obj?.data, { release: 'SDRzSQ==' });
});
