import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubeconfigFor, kubeconfigPath, mergeKubeconfig } from './kubeconfig.js';

const ours = kubeconfigFor({ url: 'https://127.0.0.1:6443', caCert: 'CA', token: 'TOKEN' });

test('the kubeconfig names cluster, user and context podctl and carries the CA and the token', () => {
  assert.deepEqual(ours.clusters, [{ name: 'podctl', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64') } }]);
  assert.deepEqual(ours.users, [{ name: 'podctl', user: { token: 'TOKEN' } }]);
  assert.deepEqual(ours.contexts, [{ name: 'podctl', context: { cluster: 'podctl', user: 'podctl' } }]);
  assert.equal(ours['current-context'], 'podctl');
});

test('a merge keeps other contexts and the current one, and replaces an older podctl entry', () => {
  const existing = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: { colors: true },
    clusters: [{ name: 'prod', cluster: { server: 'https://prod:6443' } }, { name: 'podctl', cluster: { server: 'https://127.0.0.1:7443' } }],
    users: [{ name: 'prod-admin', user: { token: 'x' } }],
    contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'prod-admin' } }],
    'current-context': 'prod',
  };
  const merged = mergeKubeconfig(existing, ours);
  assert.deepEqual(merged.clusters.map((c) => c.name), ['prod', 'podctl']);
  assert.equal(merged.clusters[1]!.cluster.server, 'https://127.0.0.1:6443');
  assert.deepEqual(merged.users.map((u) => u.name), ['prod-admin', 'podctl']);
  assert.deepEqual(merged.contexts.map((c) => c.name), ['prod', 'podctl']);
  assert.equal(merged['current-context'], 'prod');
  assert.deepEqual(merged.preferences, { colors: true });
});

test('a merge into nothing is the kubeconfig itself; an empty current context becomes podctl', () => {
  assert.deepEqual(mergeKubeconfig(undefined, ours), ours);
  assert.equal(mergeKubeconfig({ 'current-context': '', clusters: null }, ours)['current-context'], 'podctl');
});

test('--merge writes the first file of $KUBECONFIG, else ~/.kube/config', () => {
  assert.equal(kubeconfigPath({ KUBECONFIG: '/a/one:/b/two' }, '/root'), '/a/one');
  assert.equal(kubeconfigPath({ KUBECONFIG: ':/b/two' }, '/root'), '/b/two');
  assert.equal(kubeconfigPath({}, '/home/u'), '/home/u/.kube/config');
});
