import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ordinalOf, statefulStep, type StatefulPod } from './stateful.js';

const ready = (ordinal: number, current = true): StatefulPod => ({ ordinal, ready: true, current });

/** Runs the controller to the end as the caller does, pods becoming ready at once; the steps taken. */
function converge(replicas: number, pods: StatefulPod[]): string[] {
  const steps: string[] = [];
  for (let n = 0; n < 50; n++) {
    const step = statefulStep(replicas, pods);
    if (step.action === 'done') return steps;
    steps.push(`${step.action} ${step.ordinal}`);
    if (step.action === 'create') pods = [...pods, ready(step.ordinal)];
    if (step.action === 'delete') pods = pods.filter((p) => p.ordinal !== step.ordinal);
    if (step.action === 'wait') return steps;
  }
  throw new Error('no end');
}

test('pods are made in order, each after the one below is ready', () => {
  assert.deepEqual(converge(3, []), ['create 0', 'create 1', 'create 2']);
  assert.deepEqual(statefulStep(3, [{ ordinal: 0, ready: false, current: true }]), { action: 'wait', ordinal: 0 });
  assert.deepEqual(statefulStep(3, [ready(0), ready(2)]), { action: 'create', ordinal: 1 }, 'a gap is filled first');
});

test('scaling down removes the highest ordinal first, one at a time', () => {
  assert.deepEqual(converge(1, [ready(0), ready(1), ready(2)]), ['delete 2', 'delete 1']);
  assert.deepEqual(converge(0, [ready(0), ready(1)]), ['delete 1', 'delete 0']);
});

test('a template change replaces pods from the highest down, the replacement ready before the next goes', () => {
  assert.deepEqual(converge(3, [ready(0, false), ready(1, false), ready(2, false)]), ['delete 2', 'create 2', 'delete 1', 'create 1', 'delete 0', 'create 0']);
  assert.deepEqual(statefulStep(2, [ready(0, false), { ordinal: 1, ready: false, current: true }]), { action: 'wait', ordinal: 1 });
});

test('only <set>-<ordinal> names are the set pods', () => {
  assert.equal(ordinalOf('web', 'web-0'), 0);
  assert.equal(ordinalOf('web', 'web-12'), 12);
  assert.equal(ordinalOf('web', 'web-01'), undefined);
  assert.equal(ordinalOf('web', 'web-x'), undefined);
  assert.equal(ordinalOf('web', 'webby-1'), undefined);
  assert.equal(ordinalOf('web', 'web-1-2'), undefined);
});

test('a StatefulSet manifest: serviceName read, OnDelete and partitions named as not honoured, claim templates read', async () => {
  const { Fields, ManifestIssues } = await import('../fields.js');
  const { readWorkload } = await import('../kinds/workloads.js');
  const { schemaIssues } = await import('../schema.js');
  const doc = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      serviceName: 'web',
      replicas: 2,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { app: 'web' } },
      updateStrategy: { type: 'OnDelete' },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox' }] } },
    },
  };
  assert.deepEqual(await schemaIssues(doc), []);
  const issues = new ManifestIssues();
  const w = readWorkload(Fields.of(doc, '', issues)!, 'StatefulSet', 'default', { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'p' });
  assert.deepEqual(issues.errors, []);
  assert.equal(w?.obj.apiVersion, 'apps/v1');
  assert.deepEqual(issues.unsupported.sort(), ['spec.updateStrategy.type']);
  assert.deepEqual(w?.claims, { templates: [{ name: 'data', spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }], retention: { whenDeleted: 'Retain', whenScaled: 'Retain' } });
  const bad = new ManifestIssues();
  readWorkload(Fields.of({ ...doc, spec: { ...doc.spec, serviceName: 'Not_A_Name', updateStrategy: undefined, volumeClaimTemplates: undefined } }, '', bad)!, 'StatefulSet', 'default', { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'p' });
  assert.deepEqual(bad.errors.map((e) => e.path), ['spec.serviceName']);
});
