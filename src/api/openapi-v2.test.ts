import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeV2, v2Document, v2Schema } from './openapi-v2.js';

describe('/openapi/v2', () => {
  it("speaks Swagger 2.0: references to #/definitions, a described reference without allOf", () => {
    assert.deepEqual(v2Schema({ type: 'object', properties: { spec: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }], description: 'd' }, list: { type: 'array', items: { $ref: '#/components/schemas/X' } } } }), {
      type: 'object',
      properties: { spec: { $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentSpec', description: 'd' }, list: { type: 'array', items: { $ref: '#/definitions/X' } } },
    });
  });

  it("encodes gnostic's openapi_v2.Document: swagger, info, definitions with type, properties and extensions", () => {
    const doc = v2Document({ A: { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'A' }] } }, 'v1.30.0');
    const bytes = encodeV2(doc);
    const str = (field: number, s: string) => [(field << 3) | 2, Buffer.byteLength(s), ...Buffer.from(s)];
    const msg = (tag: number[], body: number[]) => [...tag, body.length, ...body];
    const typeItem = (t: string) => msg([0xb2, 0x01], str(1, t)); // Schema.type = 22
    const gvk = `${JSON.stringify([{ group: '', version: 'v1', kind: 'A' }])}\n`;
    const ext = msg([0xfa, 0x01], [...str(1, 'x-kubernetes-group-version-kind'), ...msg([0x12], str(2, gvk))]); // Schema.vendor_extension = 31
    const props = msg([0xca, 0x01], msg([0x0a], [...str(1, 'n'), ...msg([0x12], typeItem('integer'))])); // Schema.properties = 25
    const schemaA = [...typeItem('object'), ...props, ...ext];
    const expected = [...str(1, '2.0'), ...msg([0x12], [...str(1, 'Kubernetes'), ...str(2, 'v1.30.0')]), ...msg([0x4a], msg([0x0a], [...str(1, 'A'), ...msg([0x12], schemaA)]))];
    assert.deepEqual([...bytes], expected);
  });
});
