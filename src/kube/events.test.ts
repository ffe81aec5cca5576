import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PodView } from '../pod/status.js';
import { EventLog, aggregateEvents, containerEvents, eventAge, formatEvents, type KubeEvent } from './events.js';

const now = Date.parse('2026-12-03T10:00:00Z');

function view(containers: Array<{ name: string; state: string; status: string }>): PodView {
  return { name: 'web-abc', namespace: 'default', created: '2026-12-03T09:59:00Z', containers: containers.map((c) => ({ ...c, id: c.name, image: 'busybox', role: 'app' })) } as unknown as PodView;
}

test('event ages read as kubectl prints them, unknown times as <unknown>', () => {
  assert.equal(eventAge('2026-12-03T09:59:55Z', now), '5s');
  assert.equal(eventAge('2026-12-03T09:56:48Z', now), '3m12s');
  assert.equal(eventAge('2026-12-03T09:30:00Z', now), '30m');
  assert.equal(eventAge('2026-12-03T05:00:00Z', now), '5h');
  assert.equal(eventAge(undefined, now), '<unknown>');
});

test('a running container says created and started; an exited one how it ended, by its code', () => {
  const events = containerEvents(view([{ name: 'app', state: 'running', status: 'Up 5 seconds' }, { name: 'side', state: 'exited', status: 'Exited (137) 2 seconds ago' }, { name: 'job', state: 'exited', status: 'Exited (0) 1 second ago' }, { name: 'bad', state: 'exited', status: 'Exited (1) 1 second ago' }]));
  assert.deepEqual(events.map((e) => `${e.type} ${e.reason}`), ['Normal Created', 'Normal Started', 'Normal Created', 'Warning Killed', 'Normal Created', 'Normal Completed', 'Normal Created', 'Warning Failed']);
  assert.equal(events[0]!.time, '2026-12-03T09:59:00Z');
  assert.equal(events[1]!.time, undefined, 'the list gives no start time, so none is made up');
  assert.match(events[3]!.message, /side exited \(137\)/);
  assert.equal(containerEvents(view([{ name: 'app', state: 'restarting', status: 'Restarting (1) 2 seconds ago' }]))[1]!.reason, 'BackOff');
});

test('the Events block is oldest first, unknown times last, in aligned columns', () => {
  const events: KubeEvent[] = [
    { type: 'Normal', reason: 'Started', object: 'pod/a', message: 'x', from: 'docker' },
    { type: 'Normal', reason: 'ScalingReplicaSet', object: 'deployment/web', message: 'Scaled up replica set web-h to 2', time: '2026-12-03T09:59:50Z', from: 'deployment-controller' },
    { type: 'Warning', reason: 'Unhealthy', object: 'pod/b', message: 'readiness probe failed', time: '2026-12-03T09:59:40Z', from: 'deployment-controller' },
  ];
  const lines = formatEvents(events, now);
  assert.equal(lines[0], 'Events:');
  assert.match(lines[1]!, /^ {2}Type {5}Reason {13}Age {8}From {19}Message$/);
  assert.deepEqual(lines.slice(3).map((l) => l.trim().split(/\s+/)[1]), ['Unhealthy', 'ScalingReplicaSet', 'Started']);
  assert.match(lines[3]!, /20s .*pod\/b: readiness probe failed$/);
  assert.deepEqual(formatEvents([], now), ['Events:       <none>']);
});

test('the log appends, survives a torn last line, keeps its last 100 and is removed with its object', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podctl-events-'));
  try {
    const log = new EventLog(dir);
    assert.deepEqual(await log.read('Deployment', 'default', 'web'), []);
    await log.record('Deployment', 'default', 'web', [{ type: 'Normal', reason: 'SuccessfulCreate', object: 'deployment/web', message: 'Created pod: web-1', from: 'c' }]);
    const path = join(dir, 'events', 'deployment', 'default_web.jsonl');
    await appendFile(path, '{"type":"Nor');
    await log.record('Deployment', 'default', 'web', [{ type: 'Normal', reason: 'SuccessfulDelete', object: 'deployment/web', message: 'Killed and deleted pod: web-1', from: 'c' }]);
    const read = await log.read('Deployment', 'default', 'web');
    // The torn line and the one appended to it are lost; reading goes on.
    assert.deepEqual(read.map((e) => e.reason), ['SuccessfulCreate']);
    assert.ok(read[0]!.time && Math.abs(Date.parse(read[0]!.time) - Date.now()) < 5000);
    assert.equal((await stat(path)).mode & 0o777, 0o600);

    const many = Array.from({ length: 400 }, (_, i) => ({ type: 'Normal' as const, reason: 'SuccessfulCreate', object: 'deployment/web', message: `Created pod: web-${i} ${'x'.repeat(100)}`, from: 'c' }));
    await writeFile(path, '');
    await log.record('Deployment', 'default', 'web', many);
    const kept = await log.read('Deployment', 'default', 'web');
    assert.equal(kept.length, 100);
    assert.match(kept[99]!.message, /web-399 /);
    assert.ok((await stat(path)).size < 64 * 1024, 'cut back once past its size');

    await log.remove('Deployment', 'default', 'web');
    assert.deepEqual(await log.read('Deployment', 'default', 'web'), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('identical events aggregate as Kubernetes counts them: one line, a count, first and last time', () => {
  const e = (time: string, message = 'Created pod: web-1'): KubeEvent => ({ type: 'Normal', reason: 'SuccessfulCreate', object: 'replicaset/web', message, time, from: 'replicaset-controller' });
  const folded = aggregateEvents([e('2026-12-03T09:50:00Z'), e('2026-12-03T09:52:00Z', 'Created pod: web-2'), e('2026-12-03T09:55:00Z'), e('2026-12-03T09:59:00Z')]);
  assert.deepEqual(folded, [
    { ...e('2026-12-03T09:59:00Z'), count: 3, firstTime: '2026-12-03T09:50:00Z' },
    e('2026-12-03T09:52:00Z', 'Created pod: web-2'),
  ]);
  const lines = formatEvents(folded, now);
  assert.match(lines.find((l) => l.includes('web-1'))!, /SuccessfulCreate\s+60s \(x3 over 10m\)\s+replicaset-controller/);
});

test('readAll: every object log of a namespace (or all), each folded as read folds it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pct-events-all-'));
  try {
    const log = new EventLog(dir);
    const e = { type: 'Normal' as const, reason: 'ScalingReplicaSet', object: 'deployment/web', message: 'Scaled up', from: 'deployment-controller' };
    await log.record('Deployment', 'default', 'web', [e, e]);
    await log.record('Job', 'team', 'batch', [{ ...e, reason: 'Completed', object: 'job/batch', from: 'job-controller' }]);
    const all = await log.readAll();
    assert.deepEqual(all.map((l) => [l.namespace, l.events.map((x) => `${x.reason}x${x.count ?? 1}`)]).sort(), [['default', ['ScalingReplicaSetx2']], ['team', ['Completedx1']]]);
    assert.deepEqual((await log.readAll('team')).map((l) => l.namespace), ['team']);
    assert.deepEqual(await new EventLog(join(dir, 'none')).readAll(), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
