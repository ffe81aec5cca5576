import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serviceFromManifest } from './service.js';

const svc = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'web' }) => ({ apiVersion: 'v1', kind: 'Service', metadata, spec });
const errors = (value: unknown) => serviceFromManifest(value, 'default').issues.errors.map((e) => `${e.path}: ${e.reason}`);

describe('serviceFromManifest', () => {
  it('reads a NodePort service with named and numbered target ports', () => {
    const { parsed } = serviceFromManifest(
      svc({ type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP' }] }, { name: 'web', namespace: 'shop' }),
      'default',
    );
    assert.deepEqual(parsed?.spec, {
      name: 'web',
      namespace: 'shop',
      labels: {},
      selector: { app: 'web' },
      type: 'NodePort',
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 },
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
      ],
    });
  });

  it('keeps clusterIP None (headless) and a given address', () => {
    assert.equal(serviceFromManifest(svc({ clusterIP: 'None', selector: { a: 'b' }, ports: [{ port: 80 }] }), 'default').parsed?.spec.clusterIP, 'None');
    assert.equal(serviceFromManifest(svc({ clusterIP: '10.96.1.1', selector: { a: 'b' }, ports: [{ port: 80 }] }), 'default').parsed?.spec.clusterIP, '10.96.1.1');
  });

  it('refuses what Kubernetes refuses, each with its path', () => {
    assert.deepEqual(errors(svc({ ports: [{ port: 80 }] })), ['spec.selector: is required: podctl fills endpoints from the pods a selector matches (it has no hand-made Endpoints)']);
    assert.deepEqual(errors(svc({ selector: { a: 'b' }, ports: [{ port: 70000 }] })), ['spec.ports[0].port: must be 1-65535']);
    assert.deepEqual(errors(svc({ selector: { a: 'b' }, ports: [{ port: 80 }, { port: 81 }] })), ['spec.ports[0].name: is required when a service has more than one port', 'spec.ports[1].name: is required when a service has more than one port']);
    assert.deepEqual(errors(svc({ selector: { a: 'b' }, ports: [{ port: 80, nodePort: 30001 }] })), ['spec.ports[0].nodePort: is only allowed for type NodePort']);
    assert.deepEqual(errors(svc({ type: 'LoadBalancer', selector: { a: 'b' }, ports: [{ port: 80 }] })), ['spec.type: must be one of ClusterIP, NodePort']);
    assert.deepEqual(errors(svc({ type: 'NodePort', clusterIP: 'None', selector: { a: 'b' }, ports: [{ port: 80 }] })), ['spec.clusterIP: cannot be None for a NodePort service']);
    assert.deepEqual(errors(svc({ clusterIP: '10.96.0.300', selector: { a: 'b' }, ports: [{ port: 80 }] })), ['spec.clusterIP: must be an IPv4 address or None']);
    assert.deepEqual(errors(svc({ selector: { a: 'b' }, ports: [{ port: 80, targetPort: 'Not_A_Name' }] })), ['spec.ports[0].targetPort: must be a port number or a container port name']);
    assert.deepEqual(errors(svc({ selector: { a: 'b' }, ports: [{ port: 80 }] }, { name: '9web' })), ['metadata.name: must be a lowercase DNS label starting with a letter (a-z, 0-9, "-", at most 63)']);
    assert.deepEqual(errors(svc({ selector: { a: 'b' } })), ['spec.ports: is required: at least one port']);
  });

  it('reports fields it cannot honour as unsupported, not as errors', () => {
    const { parsed } = serviceFromManifest(svc({ selector: { a: 'b' }, ports: [{ port: 80 }], sessionAffinity: 'ClientIP', externalIPs: ['1.2.3.4'] }), 'default');
    assert.deepEqual(parsed?.unsupported, ['spec.sessionAffinity', 'spec.externalIPs']);
  });
});
