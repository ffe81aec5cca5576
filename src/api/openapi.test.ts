import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
// The build's generator, run on the installed kubernetes-types (as `make build` runs it).
// @ts-expect-error: a plain .mjs script without declarations
import { definitionsFrom, kubernetesTypesModules, prefixOf } from '../../scripts/generate-openapi.mjs';
import { closure, groupVersionDocument, kindSchemaName, withPatchStrategies, type Definitions } from './openapi.js';

let defs: Definitions;

before(async () => {
  defs = definitionsFrom(await kubernetesTypesModules()) as Definitions;
});

const schema = (name: string) => defs[name] as { description?: string; properties: Record<string, Record<string, unknown>>; required?: string[]; 'x-kubernetes-group-version-kind'?: unknown };

describe('the definitions generated from kubernetes-types', () => {
  it('names modules as the official definitions do', () => {
    assert.equal(prefixOf('apps/v1'), 'io.k8s.api.apps.v1');
    assert.equal(prefixOf('meta/v1'), 'io.k8s.apimachinery.pkg.apis.meta.v1');
    assert.equal(prefixOf('api/resource'), 'io.k8s.apimachinery.pkg.api.resource');
  });

  it('lists carry the merge keys and strategies of the strategic merge patch (kubectl computes apply from them)', () => {
    const decorated = withPatchStrategies(structuredClone(defs));
    const prop = (def: string, field: string) => (decorated[def] as { properties: Record<string, Record<string, unknown>> }).properties[field]!;
    assert.equal(prop('io.k8s.api.core.v1.PodSpec', 'containers')['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(prop('io.k8s.api.core.v1.Container', 'ports')['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.equal(prop('io.k8s.api.core.v1.ServiceSpec', 'ports')['x-kubernetes-patch-merge-key'], 'port');
    assert.equal(prop('io.k8s.api.apps.v1.DeploymentStatus', 'conditions')['x-kubernetes-patch-merge-key'], 'type');
    assert.equal(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers')['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers')['x-kubernetes-patch-merge-key'], undefined);
    // An atomic list stays unmarked.
    assert.equal(prop('io.k8s.api.core.v1.Container', 'args')['x-kubernetes-patch-strategy'], undefined);
  });

  it('a kind: its group, version and kind, fields with descriptions, references across modules', () => {
    const d = schema('io.k8s.api.apps.v1.Deployment');
    assert.deepEqual(d['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    assert.deepEqual(d.properties.metadata!.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    assert.match(String(d.properties.spec!.description), /desired behavior of the Deployment/);
    assert.deepEqual(schema('io.k8s.api.core.v1.Event')['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Event' }]);
  });

  it('required fields, arrays, maps, int-or-string, times', () => {
    assert.deepEqual(schema('io.k8s.api.apps.v1.DeploymentSpec').required, ['selector', 'template']);
    assert.deepEqual(schema('io.k8s.api.core.v1.PodSpec').properties.containers!.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
    assert.deepEqual(schema('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').properties.labels!.additionalProperties, { type: 'string' });
    assert.equal(schema('io.k8s.api.apps.v1.RollingUpdateDeployment').properties.maxSurge!['x-kubernetes-int-or-string'], true);
    assert.equal((defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time'] as { format: string }).format, 'date-time');
    assert.equal(schema('io.k8s.api.apps.v1.DeploymentSpec').properties.replicas!.type, 'integer');
  });
});

describe('the group-version documents', () => {
  it('apps/v1: its kinds, everything they reach, and paths that name their kind and take fieldValidation', () => {
    const doc = groupVersionDocument(defs, 'apps', 'v1', 'v1.30.0') as { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Definitions } };
    assert.equal(doc.openapi, '3.0.0');
    for (const name of ['io.k8s.api.apps.v1.Deployment', 'io.k8s.api.apps.v1.DeploymentStrategy', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']) assert.ok(doc.components.schemas[name], name);
    assert.equal(doc.components.schemas['io.k8s.api.batch.v1.Job'], undefined, 'only what apps/v1 reaches');
    const one = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!;
    assert.deepEqual(one.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.ok(one.patch.parameters.some((p: { name: string; in: string }) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.ok(doc.paths['/apis/apps/v1/deployments']!.get);
  });

  it('a group version not served has no document; closure follows references', () => {
    assert.equal(groupVersionDocument(defs, 'networking.k8s.io', 'v1', 'v1.30.0'), undefined);
    assert.equal(kindSchemaName(defs, { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }), 'io.k8s.api.discovery.v1.EndpointSlice');
    assert.ok(closure(defs, ['io.k8s.api.discovery.v1.EndpointSlice'])['io.k8s.api.discovery.v1.Endpoint']);
  });
});
