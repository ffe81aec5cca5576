import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeEndpoints, removedFlows, udpFlows, type EndpointPod } from './endpoints.js';
import type { ServiceRecord } from './types.js';

const service = (over: Partial<ServiceRecord> = {}): ServiceRecord => ({
  version: 1, name: 'web', namespace: 'default', labels: {}, selector: { app: 'web' }, type: 'ClusterIP', clusterIP: '10.96.0.1', uid: 'u', createdAt: '',
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }, { name: 'raw', protocol: 'UDP', port: 53, targetPort: 5353 }],
  ...over,
});
const pod = (name: string, over: Partial<EndpointPod> = {}): EndpointPod => ({
  name, namespace: 'default', labels: { app: 'web' }, ips: [`10.99.0.${name.length}`], ready: true, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], ...over,
});

describe('computeEndpoints', () => {
  it('takes ready pods of the namespace whose labels match, resolving named ports', () => {
    const [eps] = computeEndpoints([service()], [
      pod('a'),
      pod('bb', { ports: [] }),
      pod('ccc', { ready: false }),
      pod('dddd', { namespace: 'other' }),
      pod('eeeee', { labels: { app: 'db' } }),
    ]);
    assert.deepEqual(eps?.ports[0]?.endpoints, [{ ip: '10.99.0.1', port: 8080, pod: 'a' }]);
    assert.deepEqual(eps?.ports[1]?.endpoints.map((e) => `${e.pod}:${e.port}`), ['a:5353', 'bb:5353']);
    assert.deepEqual(eps?.podIPs, ['10.99.0.1', '10.99.0.2']);
    assert.deepEqual(eps?.unresolved, []);
  });

  it("gives a headless service's pods whose subdomain names it their hostnames, and no others", () => {
    const headless = service({ name: 'web', clusterIP: 'None' });
    const [eps] = computeEndpoints([headless], [pod('a', { hostname: 'web-0', subdomain: 'web' }), pod('bb', { hostname: 'web-1', subdomain: 'other' }), pod('ccc'), pod('dddd', { hostname: 'web-2', subdomain: 'web', ready: false })]);
    assert.deepEqual(eps?.podHosts, [{ ip: '10.99.0.1', hostname: 'web-0' }]);
    assert.deepEqual(computeEndpoints([service()], [pod('a', { hostname: 'web-0', subdomain: 'web' })])[0]?.podHosts, [], 'a ClusterIP service names no pods');
  });

  it('names a targetPort no selected pod declares', () => {
    const [eps] = computeEndpoints([service()], [pod('a', { ports: [] })]);
    assert.deepEqual(eps?.unresolved, ['http']);
    assert.equal(eps?.ports[0]?.endpoints.length, 0);
  });

  it('lists the UDP endpoints that left, for conntrack', () => {
    const before = computeEndpoints([service()], [pod('a'), pod('bb')]);
    const after = computeEndpoints([service()], [pod('a')]);
    assert.deepEqual(removedFlows(udpFlows(before), udpFlows(after)), [{ clusterIP: '10.96.0.1', port: 53, endpointIP: '10.99.0.2' }]);
  });
});
