import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregatedContentType, aggregatedDiscovery, aggregatedVersionAccepted, apiGroupDocument, apiGroupList, apiResourceList, apiVersions } from './discovery.js';

// What kubectl 1.33 sends for /api and /apis (aggregated first, then the legacy document).
const KUBECTL_133_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

test('the core group: APIVersions and the v1 resources with kinds, verbs, short names and categories', () => {
  assert.deepEqual(apiVersions('127.0.0.1:6443'), { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] });
  const list = apiResourceList('', 'v1') as { groupVersion: string; resources: Array<Record<string, unknown>> };
  assert.equal(list.groupVersion, 'v1');
  const pods = list.resources.find((r) => r.name === 'pods');
  assert.deepEqual(pods, { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'], shortNames: ['po'], categories: ['all'] });
  // Endpoints follow their Service: read and watched only.
  assert.deepEqual(list.resources.find((r) => r.name === 'endpoints')?.verbs, ['get', 'list', 'watch']);
  const ns = list.resources.find((r) => r.name === 'namespaces')!;
  assert.equal(ns.namespaced, false);
  assert.deepEqual(list.resources.map((r) => r.name), ['namespaces', 'pods', 'pods/status', 'services', 'services/status', 'endpoints', 'configmaps', 'secrets', 'persistentvolumeclaims', 'events', 'serviceaccounts']);
  // A status subresource answers the object itself: no group or version of its own, as the API server lists it.
  assert.deepEqual(list.resources.find((r) => r.name === 'pods/status'), { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
});

test('named groups: apps, batch, discovery.k8s.io and events.k8s.io, each with its preferred version and resources', () => {
  const groups = (apiGroupList() as { groups: Array<{ name: string; preferredVersion: { groupVersion: string } }> }).groups;
  assert.deepEqual(groups.map((g) => [g.name, g.preferredVersion.groupVersion]), [['apps', 'apps/v1'], ['batch', 'batch/v1'], ['discovery.k8s.io', 'discovery.k8s.io/v1'], ['events.k8s.io', 'events.k8s.io/v1']]);
  assert.equal((apiGroupDocument('apps') as { kind: string }).kind, 'APIGroup');
  assert.equal(apiGroupDocument('networking.k8s.io'), undefined);
  const apps = apiResourceList('apps', 'v1') as { groupVersion: string; resources: Array<{ name: string; shortNames?: string[]; categories?: string[] }> };
  assert.equal(apps.groupVersion, 'apps/v1');
  assert.deepEqual(apps.resources.map((r) => [r.name, r.shortNames?.[0]]), [
    ['deployments', 'deploy'],
    ['deployments/scale', undefined],
    ['deployments/status', undefined],
    ['replicasets', 'rs'],
    ['replicasets/scale', undefined],
    ['replicasets/status', undefined],
    ['statefulsets', 'sts'],
    ['statefulsets/scale', undefined],
    ['statefulsets/status', undefined],
    ['daemonsets', 'ds'],
    ['daemonsets/status', undefined],
  ]);
  assert.deepEqual(apps.resources.find((r) => r.name === 'deployments/status'), { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch', 'update'] });
  assert.deepEqual((apiResourceList('batch', 'v1') as { resources: Array<{ name: string }> }).resources.map((r) => r.name), ['jobs', 'jobs/status']);
  assert.ok(apps.resources.filter((r) => !r.name.includes('/')).every((r) => r.categories?.includes('all')));
  // kubectl scale finds the Scale kind of the subresource here.
  assert.deepEqual(apps.resources.find((r) => r.name === 'deployments/scale'), { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  assert.equal((apiResourceList('batch', 'v1') as { resources: Array<{ kind: string }> }).resources[0]!.kind, 'Job');
  assert.equal(apiResourceList('apps', 'v1beta1'), undefined);
});

test('aggregated discovery: asked for by kubectl 1.33 (v2), kubectl 1.27 (v2beta1), not by a plain client', () => {
  assert.equal(aggregatedVersionAccepted(KUBECTL_133_ACCEPT), 'v2');
  assert.equal(aggregatedVersionAccepted('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
  assert.equal(aggregatedVersionAccepted('application/json, */*'), undefined);
  assert.equal(aggregatedVersionAccepted(undefined), undefined);
  assert.equal(aggregatedContentType('v2'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
});

test('the aggregated documents hold the same resources as the legacy ones', () => {
  const core = aggregatedDiscovery(true, 'v2') as { apiVersion: string; items: Array<{ metadata: { name: string }; versions: Array<{ version: string; resources: Array<Record<string, unknown>> }> }> };
  assert.equal(core.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.deepEqual(core.items.map((i) => i.metadata.name), ['']);
  const pods = core.items[0]!.versions[0]!.resources.find((r) => r.resource === 'pods');
  assert.deepEqual(pods, {
    resource: 'pods',
    responseKind: { group: '', version: 'v1', kind: 'Pod' },
    scope: 'Namespaced',
    singularResource: 'pod',
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
    shortNames: ['po'],
    categories: ['all'],
    subresources: [{ subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] }],
  });
  const named = aggregatedDiscovery(false, 'v2beta1') as typeof core;
  assert.deepEqual(named.items.map((i) => i.metadata.name), ['apps', 'batch', 'discovery.k8s.io', 'events.k8s.io']);
  const legacy = (apiResourceList('apps', 'v1') as { resources: Array<{ name: string }> }).resources.map((r) => r.name);
  const aggregated = named.items[0]!.versions[0]!.resources;
  // The aggregated form lists subresources inside their resource.
  assert.deepEqual(aggregated.flatMap((r) => [r.resource, ...((r.subresources as Array<{ subresource: string }> | undefined) ?? []).map((s) => `${String(r.resource)}/${s.subresource}`)]), legacy);
  const ns = core.items[0]!.versions[0]!.resources.find((r) => r.resource === 'namespaces')!;
  assert.equal(ns.scope, 'Cluster');
});

test('watch is listed for every resource: ReplicaSets (computed from their pods, observed by serve) too', () => {
  const apps = apiResourceList('apps', 'v1')!.resources as Array<{ name: string; verbs: string[] }>;
  assert.deepEqual(apps.find((r) => r.name === 'deployments')?.verbs.slice(0, 3), ['get', 'list', 'watch']);
  assert.deepEqual(apps.find((r) => r.name === 'replicasets')?.verbs.slice(0, 3), ['get', 'list', 'watch']);
});
