import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedEvent } from '../kube/objects/change-feed.js';
import type { KubeObject } from '../kube/objects/store.js';
import { diffObserved, podViewPrint, type Observed } from './observed-diff.js';
import type { PodView } from '../pod/status.js';
import { findResource } from './resources.js';
import { translate } from './watch.js';

const pod = (name: string, labels: Record<string, string>, phase = 'Running', rv = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels, resourceVersion: rv, creationTimestamp: '2026-01-01T00:00:00Z' }, status: { phase } });
const pods = findResource('', 'v1', 'pods')!;
const web = (o: KubeObject) => o.metadata.labels?.app === 'web';

test('a filtered watch: an object that starts to match is ADDED, one that stops is DELETED, others are not sent', () => {
  const ev = (type: FeedEvent['type'], object: KubeObject, previous?: KubeObject): FeedEvent => ({ rv: 2, type, object, ...(previous ? { previous } : {}) });
  assert.equal(translate(ev('MODIFIED', pod('a', { app: 'web' }), pod('a', { app: 'db' })), pods, web)?.type, 'ADDED');
  assert.equal(translate(ev('MODIFIED', pod('a', { app: 'db' }), pod('a', { app: 'web' })), pods, web)?.type, 'DELETED');
  assert.equal(translate(ev('MODIFIED', pod('a', { app: 'web' }), pod('a', { app: 'web' })), pods, web)?.type, 'MODIFIED');
  assert.equal(translate(ev('MODIFIED', pod('a', { app: 'db' }), pod('a', { app: 'db' })), pods, web), undefined);
  assert.equal(translate(ev('ADDED', pod('a', { app: 'db' })), pods, web), undefined);
  assert.equal(translate(ev('DELETED', pod('a', { app: 'web' })), pods, web)?.type, 'DELETED');
  // Another kind's change is not this watch's.
  assert.equal(translate(ev('ADDED', { ...pod('a', { app: 'web' }), kind: 'ConfigMap' }), pods, web), undefined);
});

test('observed pods: new ones ADDED, changed ones MODIFIED, a row whose AGE alone moved is no change, gone ones DELETED with their last object', () => {
  const seen = (o: KubeObject, age: string, ready = '1/1'): Observed => ({ object: o, row: [o.metadata.name, ready, 'Running', '0', '10.0.0.2', age, 'default', 'podctl'] });
  const known = new Map<string, Observed>([
    ['Pod/default/a', seen(pod('a', { app: 'web' }, 'Running', '5'), '1m')],
    ['Pod/default/b', seen(pod('b', { app: 'web' }, 'Running', '6'), '1m')],
    ['Pod/default/gone', seen(pod('gone', {}, 'Running', '7'), '1m')],
  ]);
  const now = [seen(pod('a', { app: 'web' }, 'Running', undefined), '2m'), seen(pod('b', { app: 'web' }), '2m', '0/1'), seen(pod('c', {}), '0s')];
  const changes = diffObserved(known, now, 'Pod');
  assert.deepEqual(changes.map((c) => `${c.type} ${c.object.metadata.name}`), ['MODIFIED b', 'ADDED c', 'DELETED gone']);
  assert.equal(changes[2]!.object.metadata.resourceVersion, '7');
  // A look at one pod says nothing of the others.
  assert.deepEqual(diffObserved(known, [], 'Pod', ['Pod/default/a']).map((c) => `${c.type} ${c.object.metadata.name}`), ['DELETED a']);
});

test("a pod's view print ignores Docker's clock-bound status text, not a container's state", () => {
  const view = (status: string, state: string) => ({ name: 'a', namespace: 'default', state: 'running', containers: [{ name: 'web', id: 'c1', image: 'nginx', role: 'app', state, status }] }) as unknown as PodView;
  assert.equal(podViewPrint(view('Up 5 seconds', 'running')), podViewPrint(view('Up 2 minutes', 'running')));
  assert.notEqual(podViewPrint(view('Up 5 seconds', 'running')), podViewPrint(view('Exited (1) 1 second ago', 'exited')));
});
