import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allocate, clusterDnsAddress, validateServiceCidr } from './allocate.js';
import { DEFAULT_SERVICE_NETWORK, type ServiceRecord, type ServiceSpec } from './types.js';

const spec = (name: string, over: Partial<ServiceSpec> = {}): ServiceSpec => ({ name, namespace: 'default', labels: {}, selector: { app: name }, type: 'ClusterIP', ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], ...over });
const net = DEFAULT_SERVICE_NETWORK;
const np = (name: string, nodePort?: number) => spec(name, { type: 'NodePort', ports: [{ protocol: 'TCP', port: 80, targetPort: 80, ...(nodePort ? { nodePort } : {}) }] });

describe('allocate', () => {
  it('gives the lowest free ClusterIP and keeps it for the life of the service', () => {
    const a = allocate(spec('a'), [], net);
    const b = allocate(spec('b'), [a], net);
    assert.equal(a.clusterIP, '10.96.0.1');
    assert.equal(b.clusterIP, '10.96.0.2');
    const again = allocate(spec('a', { ports: [{ protocol: 'TCP', port: 8080, targetPort: 80 }] }), [a, b], net);
    assert.equal(again.clusterIP, '10.96.0.1');
    assert.equal(again.uid, a.uid);
  });

  it('honours a free spec.clusterIP and refuses a taken, outside or changed one', () => {
    const a = allocate(spec('a', { clusterIP: '10.96.7.7' }), [], net);
    assert.equal(a.clusterIP, '10.96.7.7');
    assert.throws(() => allocate(spec('b', { clusterIP: '10.96.7.7' }), [a], net), /spec.clusterIP: 10.96.7.7 is taken by service default\/a/);
    assert.throws(() => allocate(spec('b', { clusterIP: '10.97.0.1' }), [a], net), /10.97.0.1 is outside the service range 10.96.0.0\/16/);
    assert.throws(() => allocate(spec('b', { clusterIP: '10.96.0.0' }), [a], net), /outside the service range/);
    assert.throws(() => allocate(spec('a', { clusterIP: '10.96.7.8' }), [a], net), /is 10.96.7.7 and cannot change/);
  });

  it('reserves the 10th address for the cluster DNS: skipped when allocating, refused when asked for', () => {
    let records: ServiceRecord[] = [];
    for (let i = 0; i < 10; i++) records = [...records, allocate(spec(`s${i}`), records, net)];
    assert.deepEqual(records.map((r) => r.clusterIP.split('.')[3]), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '11']);
    assert.throws(() => allocate(spec('dns', { clusterIP: '10.96.0.10' }), [], net), /10.96.0.10 is reserved for the cluster DNS \(kube-system\/kube-dns\)/);
    assert.equal(clusterDnsAddress('10.100.0.0/24'), '10.100.0.10');
  });

  it('leaves headless services without an address', () => {
    assert.equal(allocate(spec('h', { clusterIP: 'None' }), [], net).clusterIP, 'None');
  });

  it('picks NodePorts from 30000-32767, keeps them, and refuses taken or outside ones', () => {
    const a = allocate(np('a'), [], net);
    assert.equal(a.ports[0]?.nodePort, 30000);
    const b = allocate(np('b', 30000 + 5), [a], net);
    assert.equal(b.ports[0]?.nodePort, 30005);
    assert.equal(allocate(np('a'), [a, b], net).ports[0]?.nodePort, 30000);
    assert.throws(() => allocate(np('c', 30005), [a, b], net), /nodePort TCP 30005 is taken by service default\/b/);
    assert.throws(() => allocate(np('c', 8080), [a, b], net), /nodePort 8080 is outside the NodePort range 30000-32767/);
    assert.equal(allocate(np('c'), [a, b], net).ports[0]?.nodePort, 30001);
  });

  it('drops nodePorts when a service is not of type NodePort', () => {
    const a = allocate(np('a'), [], net);
    const r = allocate(spec('a'), [a], net) as ServiceRecord;
    assert.equal(r.ports[0]?.nodePort, undefined);
  });
});

describe('validateServiceCidr', () => {
  it('accepts the default and refuses overlaps with pod, Docker and podman networks', () => {
    const avoid = ['10.99.0.0/16', '172.17.0.0/16', '10.88.0.0/16'];
    validateServiceCidr('10.96.0.0/16', avoid);
    assert.throws(() => validateServiceCidr('10.99.128.0/24', avoid), /overlaps 10.99.0.0\/16/);
    assert.throws(() => validateServiceCidr('10.0.0.0/8', avoid), /overlaps/);
    assert.throws(() => validateServiceCidr('10.96.0.0', avoid), /not an IPv4 CIDR/);
  });
});
