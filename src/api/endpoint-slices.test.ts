import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceEndpoints } from '../service/types.js';
import { endpointSlices, endpointSliceTable } from './endpoint-slices.js';

const service = { version: 1, name: 'web', namespace: 'default', labels: { app: 'web' }, selector: { app: 'web' }, type: 'ClusterIP', clusterIP: '10.96.0.10', uid: 'u1', createdAt: '2026-01-01T00:00:00Z', ports: [] } as unknown as ServiceEndpoints['service'];
const http = { name: 'http', protocol: 'TCP' as const, port: 80, targetPort: 8080 };
const dns = { name: 'dns', protocol: 'UDP' as const, port: 53, targetPort: 53 };
const ep = (ip: string, port: number, pod: string) => ({ ip, port, pod });

describe('endpointSlices', () => {
  it("one slice for pods that serve the same ports, labelled with the service's name", () => {
    const slices = endpointSlices({ service, ports: [{ port: http, endpoints: [ep('10.88.0.2', 8080, 'a'), ep('10.88.0.3', 8080, 'b')] }, { port: dns, endpoints: [ep('10.88.0.3', 53, 'b'), ep('10.88.0.2', 53, 'a')] }], podIPs: [], unresolved: [] });
    assert.equal(slices.length, 1);
    const s = slices[0]! as Record<string, any>;
    assert.match(s.metadata.name, /^web-[0-9a-f]{5}$/);
    assert.equal(s.metadata.labels['kubernetes.io/service-name'], 'web');
    assert.equal(s.metadata.labels.app, 'web');
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]);
    assert.deepEqual(s.endpoints[0], { addresses: ['10.88.0.2'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: 'a', namespace: 'default' } });
    assert.deepEqual(s.metadata.ownerReferences[0], { apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true });
  });

  it('ports served by different pods: a slice each', () => {
    assert.equal(endpointSlices({ service, ports: [{ port: http, endpoints: [ep('10.88.0.2', 8080, 'a')] }, { port: dns, endpoints: [ep('10.88.0.3', 53, 'b')] }], podIPs: [], unresolved: [] }).length, 2);
  });

  it('no ready pod: one empty slice; the table says <none> and <unset>', () => {
    const slices = endpointSlices({ service, ports: [{ port: http, endpoints: [] }], podIPs: [], unresolved: [] });
    assert.deepEqual((slices[0] as Record<string, unknown>).endpoints, []);
    const t = endpointSliceTable(slices, Date.parse('2026-01-01T00:00:30Z'));
    assert.deepEqual(t.columns.map((c) => c.header), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    assert.deepEqual(t.rows[0]!.slice(1), ['IPv4', '<unset>', '<none>', '30s']);
  });
});
