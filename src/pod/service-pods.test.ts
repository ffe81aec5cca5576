import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary } from '../docker/containers.js';
import { newCheckpoint } from './create-pod.js';
import type { PodCheckpoint } from './checkpoint.js';
import { LABEL } from './labels.js';
import { bridgeOf, servicePods } from './service-pods.js';
import type { NetworkConfigList } from '../cni/index.js';
import type { PodSpec } from './spec.js';

const spec = (name: string): PodSpec => ({
  name, namespace: 'default', labels: { app: 'web' }, annotations: {}, networks: ['podctl'], portMappings: [], hostAliases: [], sharePid: false, restartPolicy: 'no',
  pauseImage: 'pause', initContainers: [], stopTimeout: 1, containers: [{ name: 'c', image: 'nginx', env: {}, ports: [{ containerPort: 8080, protocol: 'TCP', name: 'http' }] }],
});

function pod(name: string, phase: PodCheckpoint['phase'], appState = 'running'): { checkpoint: PodCheckpoint; containers: ContainerSummary[] } {
  const checkpoint = { ...newCheckpoint(spec(name)), phase, pauseId: `p-${name}`, attachments: [{ network: 'podctl', ifName: 'eth0', ips: [`10.99.0.${name.length}/16`] }] };
  const labels = (role: string) => ({ app: 'web', [LABEL.pod]: name, [LABEL.namespace]: 'default', [LABEL.role]: role, [LABEL.container]: 'c' });
  const container = (id: string, role: string, state: string): ContainerSummary => ({ id, name: id, image: 'x', state, status: 'Up 1 second', labels: labels(role), created: 0 });
  return { checkpoint, containers: [container(`p-${name}`, 'pause', 'running'), container(`a-${name}`, 'app', appState)] };
}

describe('servicePods', () => {
  it('counts running pods ready, with their address, ports and hosts file; not leaving, stopping or broken ones', () => {
    const all = [pod('a', 'running'), pod('bb', 'running'), pod('ccc', 'stopping'), pod('dddd', 'running', 'exited')];
    const result = servicePods(all.flatMap((p) => p.containers), all.map((p) => p.checkpoint), [{ name: 'bb', namespace: 'default' }], (ref) => `/state/${ref.name}`);
    const byName = Object.fromEntries(result.map((p) => [p.name, p]));
    assert.deepEqual(byName.a, { name: 'a', namespace: 'default', labels: { app: 'web' }, ips: ['10.99.0.1'], ready: true, ports: [{ containerPort: 8080, protocol: 'TCP', name: 'http' }], hostsFile: '/state/a/hosts' });
    assert.equal(byName.bb?.ready, false, 'leaving');
    assert.equal(byName.ccc?.ready, false, 'stopping');
    assert.equal(byName.dddd?.ready, false, 'its app container exited');
    assert.equal(byName.dddd?.hostsFile, '/state/dddd/hosts', 'a degraded pod still gets DNS updates');
  });

  it('leaves out a running pod still waiting for its readiness, and takes it once the wait passed', () => {
    const waiting = pod('a', 'running');
    const ready = (checkpoint: PodCheckpoint) => servicePods(waiting.containers, [checkpoint], [], (ref) => `/state/${ref.name}`)[0]?.ready;
    assert.equal(ready({ ...waiting.checkpoint, awaitingReady: true }), false);
    assert.equal(ready(waiting.checkpoint), true);
  });

  it('leaves out a Terminating pod whose containers still run (its deleter may have died before it left)', () => {
    const terminating = pod('a', 'running');
    const [view] = servicePods(terminating.containers, [{ ...terminating.checkpoint, deletionTimestamp: '2026-12-06T13:33:34.000Z' }], [], (ref) => `/state/${ref.name}`);
    assert.equal(view?.ready, false);
  });
});

describe('bridgeOf', () => {
  const list = (bridge: Record<string, unknown>) => ({ cniVersion: '1.0.0', name: 'podctl', plugins: [{ type: 'bridge', bridge: 'pct-none0', ...bridge }] }) as unknown as NetworkConfigList;

  it("takes a gateway bridge's address from its config, so it does not depend on the link being up", () => {
    assert.deepEqual(bridgeOf(list({ isGateway: true, ipam: { ranges: [[{ subnet: '10.99.0.0/16', gateway: '10.99.0.9' }]] } })), { bridge: { name: 'pct-none0', ip: '10.99.0.9' }, subnets: ['10.99.0.0/16'] });
    assert.deepEqual(bridgeOf(list({ isDefaultGateway: true, ipam: { subnet: '10.98.0.0/16' } })), { bridge: { name: 'pct-none0', ip: '10.98.0.1' }, subnets: ['10.98.0.0/16'] });
  });

  it('gives no address to a bridge that is not a gateway and has none on the host', () => {
    assert.deepEqual(bridgeOf(list({ ipam: { ranges: [[{ subnet: '10.99.0.0/16' }]] } })), { bridge: { name: 'pct-none0' }, subnets: ['10.99.0.0/16'] });
  });
});
