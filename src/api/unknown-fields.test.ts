import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
// The build's generator, run on the installed kubernetes-types (as `make build` runs it).
// @ts-expect-error: a plain .mjs script without declarations
import { definitionsFrom, kubernetesTypesModules } from '../../scripts/generate-openapi.mjs';
import type { Definitions } from './openapi.js';
import { unknownFields, unknownFieldsMessage } from './unknown-fields.js';

let defs: Definitions;

before(async () => {
  defs = definitionsFrom(await kubernetesTypesModules()) as Definitions;
});

describe('unknown fields, as strict decoding finds them', () => {
  it('a ConfigMap: its data is a map (any key), a field beside it is unknown', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { any: 'thing' }, annotations: { 'a/b': 'c' } }, data: { whatever: '1' }, bogus: 1 };
    assert.deepEqual(unknownFields(defs, 'io.k8s.api.core.v1.ConfigMap', cm), ['bogus']);
  });

  it('paths through lists and references: a misspelt container field, a port field', () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }, { name: 'side', imagee: 'busybox', ports: [{ containerPort: 81, hostPortt: 1 }] }] },
        },
      },
      status: {},
    };
    assert.deepEqual(unknownFields(defs, 'io.k8s.api.apps.v1.Deployment', deploy), ['spec.template.spec.containers[1].imagee', 'spec.template.spec.containers[1].ports[0].hostPortt']);
  });

  it("a strategic merge patch's directives are not fields; IntOrString and quantities take anything", () => {
    const patch = { spec: { template: { spec: { $setElementOrder: [{ name: 'web' }], containers: [{ name: 'web', $patch: 'delete', resources: { limits: { cpu: '100m' } } }] } } } };
    assert.deepEqual(unknownFields(defs, 'io.k8s.api.apps.v1.Deployment', patch), []);
    const svc = { spec: { ports: [{ port: 80, targetPort: 'http' }] } };
    assert.deepEqual(unknownFields(defs, 'io.k8s.api.core.v1.Service', svc), []);
  });

  it("the API server's words", () => {
    assert.equal(unknownFieldsMessage(['bogus', 'spec.x']), 'unknown field "bogus", unknown field "spec.x"');
  });
});
