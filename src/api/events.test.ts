import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coreEvent, eventFields, eventsV1, eventTable, involvedOf, type NamespacedEvent } from './events.js';

const scaled: NamespacedEvent = { namespace: 'default', type: 'Normal', reason: 'ScalingReplicaSet', object: 'deployment/web', message: 'Scaled up replica set web-abc to 2', time: '2026-01-01T00:01:00Z', firstTime: '2026-01-01T00:00:00Z', count: 3, from: 'deployment-controller' };
const uids = (kind: string, ns: string, name: string) => (kind === 'Deployment' && ns === 'default' && name === 'web' ? 'uid-web' : undefined);

describe('events as the API serves them', () => {
  it('the object an event is about, by its kind', () => {
    assert.equal(involvedOf('deployment/web')?.resource.kind, 'Deployment');
    assert.equal(involvedOf('pod/web-abc')?.name, 'web-abc');
    assert.equal(involvedOf('widget/x'), undefined);
  });

  it('core v1: involvedObject with the stored uid, times, count, source; a stable name', () => {
    const e = coreEvent(scaled, uids) as Record<string, any>;
    assert.deepEqual(e.involvedObject, { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1', uid: 'uid-web' });
    assert.equal(e.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(e.lastTimestamp, '2026-01-01T00:01:00Z');
    assert.equal(e.count, 3);
    assert.deepEqual(e.source, { component: 'deployment-controller' });
    assert.match(e.metadata.name, /^web\.[0-9a-f]{16}$/);
    assert.equal((coreEvent(scaled, uids) as Record<string, any>).metadata.name, e.metadata.name);
    assert.notEqual((coreEvent({ ...scaled, message: 'other' }, uids) as Record<string, any>).metadata.name, e.metadata.name);
  });

  it('a fact from the pod list has no time: null timestamps, no uid', () => {
    const e = coreEvent({ namespace: 'ns1', type: 'Normal', reason: 'Started', object: 'pod/web-abc', message: 'Started container web', from: 'kubelet' }, uids) as Record<string, any>;
    assert.equal(e.lastTimestamp, null);
    assert.deepEqual(e.involvedObject, { kind: 'Pod', namespace: 'ns1', name: 'web-abc', apiVersion: 'v1' });
  });

  it('events.k8s.io/v1: regarding, note and the deprecated copies', () => {
    const e = eventsV1(coreEvent(scaled, uids)) as Record<string, any>;
    assert.equal(e.apiVersion, 'events.k8s.io/v1');
    assert.equal(e.regarding.name, 'web');
    assert.equal(e.note, scaled.message);
    assert.equal(e.deprecatedCount, 3);
    assert.equal(e.eventTime, '2026-01-01T00:01:00Z');
    assert.equal(e.reportingController, 'deployment-controller');
  });

  it('the fields describe and `kubectl events --for` select on', () => {
    const f = eventFields(coreEvent(scaled, uids));
    assert.equal(f['involvedObject.kind'], 'Deployment');
    assert.equal(f['involvedObject.uid'], 'uid-web');
    assert.equal(f['regarding.name'], 'web');
    assert.equal(f.reason, 'ScalingReplicaSet');
    assert.equal(f['involvedObject.fieldPath'], '');
  });

  it("`get events`: kubectl's columns, the wide ones marked, the name column last", () => {
    const t = eventTable([coreEvent(scaled, uids)], Date.parse('2026-01-01T00:02:00Z'));
    assert.deepEqual(t.columns.filter((c) => !c.wide).map((c) => c.header), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    assert.equal(t.nameColumn, 9);
    assert.deepEqual(t.rows[0]!.slice(0, 4), ['60s', 'Normal', 'ScalingReplicaSet', 'deployment/web']);
    assert.equal(t.rows[0]![8], '3');
  });
});
