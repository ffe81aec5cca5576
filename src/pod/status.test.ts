import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary } from '../docker/containers.js';
import type { PodCheckpoint } from './checkpoint.js';
import { newCheckpoint } from './create-pod.js';
import { judgePod } from './gc.js';
import { LABEL } from './labels.js';
import type { PodSpec } from './spec.js';
import { filterViews, groupByPod, podState, podView, podViews, sandboxDied } from './status.js';

const spec = {
  name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: {}, networks: ['podctl', 'storage'], portMappings: [], hostAliases: [],
  sharePid: false, restartPolicy: 'no', pauseImage: 'pause:1', initContainers: [], containers: [{ name: 'nginx', image: 'nginx', env: {} }], stopTimeout: 10,
} as PodSpec;

function checkpoint(phase: PodCheckpoint['phase'], extra: Partial<PodCheckpoint> = {}): PodCheckpoint {
  return {
    version: 1, name: 'web', namespace: 'default', spec, pauseId: 'p1', netnsName: 'web', netnsPinned: true, networksPending: [],
    attachments: [{ network: 'podctl', ifName: 'eth0', ips: ['10.99.0.7/16'] }], phase, removeOnInterrupt: false, createdAt: '2026-01-01T00:00:00.000Z', ...extra,
  };
}

function c(role: string, state: string, extra: Partial<ContainerSummary> = {}): ContainerSummary {
  const name = role === 'pause' ? 'pause' : 'nginx';
  return {
    id: role === 'pause' ? 'p1' : 'a1', name: `podctl_${name}_web_default`, image: role === 'pause' ? 'pause:1' : 'nginx', state, status: state === 'running' ? 'Up 3 minutes' : 'Exited (0) 1 second ago', created: 1,
    labels: { [LABEL.pod]: 'web', [LABEL.namespace]: 'default', [LABEL.role]: role, [LABEL.container]: name, app: 'web' }, ...extra,
  };
}

const up = [c('pause', 'running'), c('app', 'running')];

test('pod state follows the checkpoint phase and the containers', () => {
  assert.equal(podState(checkpoint('running'), up), 'running');
  assert.equal(podState(checkpoint('creating'), up), 'creating');
  assert.equal(podState(checkpoint('removing'), up), 'removing');
  assert.equal(podState(checkpoint('stopped'), [c('pause', 'exited'), c('app', 'exited')]), 'stopped');
  assert.equal(podState(checkpoint('created'), [c('pause', 'created'), c('app', 'created')]), 'created');
  assert.equal(podState(checkpoint('running'), [c('pause', 'running'), c('app', 'exited')]), 'degraded');
  assert.equal(podState(checkpoint('running'), [c('app', 'running')]), 'dead', 'no pause');
  assert.equal(podState(undefined, []), 'unknown');
  assert.equal(podState(undefined, up), 'unknown', 'containers without podctl state');
});

test('a running pod restarted behind podctl\'s back is degraded', () => {
  const startedLongAgo = checkpoint('running', { pauseStartedAt: new Date(Date.now() - 3600_000).toISOString() });
  assert.equal(podState(startedLongAgo, [c('pause', 'running', { status: 'Up 5 seconds' }), c('app', 'running')]), 'degraded');
});

test('the view: addresses only while running, interface names by position, user labels only, problems when degraded', () => {
  const view = podView(checkpoint('running'), up, { name: 'web', namespace: 'default' });
  assert.equal(view.state, 'running');
  assert.deepEqual(view.ips, ['10.99.0.7/16']);
  assert.deepEqual(view.networks.map((n) => [n.name, n.ifname]), [['podctl', 'eth0'], ['storage', 'net1']]);
  assert.equal(view.netns, '/var/run/netns/web');
  assert.deepEqual(view.labels, { app: 'web' });
  assert.equal(`${view.ready}/${view.total}`, '1/1');
  assert.equal(view.problems, undefined);

  const stopped = podView(checkpoint('stopped'), [c('pause', 'exited'), c('app', 'exited')], { name: 'web', namespace: 'default' });
  assert.deepEqual(stopped.ips, []);

  const degraded = podView(checkpoint('running'), [c('pause', 'running'), c('app', 'exited')], { name: 'web', namespace: 'default' });
  assert.match(degraded.problems?.join('\n') ?? '', /container nginx is exited/);
});

test('one list call becomes one view per pod, containers without a checkpoint included; filters apply', () => {
  const other = { ...c('pause', 'running'), id: 'p2', labels: { ...c('pause', 'running').labels, [LABEL.pod]: 'db' } };
  assert.deepEqual([...groupByPod([...up, other]).keys()].sort(), ['default_db', 'default_web']);
  const views = podViews([...up, other], [checkpoint('running')]);
  assert.deepEqual(views.map((v) => v.name).sort(), ['db', 'web']);
  assert.deepEqual(filterViews(views, { name: 'web' }).map((v) => v.name), ['web']);
});

test('gc judges interrupted operations, a lost pause and a session, and leaves healthy pods alone', () => {
  // Every pod's namespace is still pinned here: the reboot case is gc.test.ts's.
  const pinned = new Set([checkpoint('running').netnsName]);
  assert.equal(judgePod(checkpoint('running'), up, undefined, pinned), undefined);
  assert.equal(judgePod(checkpoint('stopped'), [c('pause', 'exited')], undefined, pinned), undefined);
  assert.deepEqual(judgePod(checkpoint('creating'), up, undefined, pinned), { action: 'remove', reason: 'its creation was interrupted' });
  assert.deepEqual(judgePod(checkpoint('removing'), up, undefined, pinned), { action: 'remove', reason: 'its removal was interrupted' });
  assert.deepEqual(judgePod(checkpoint('starting', { removeOnInterrupt: true }), up, undefined, pinned), { action: 'remove', reason: 'podctl run was interrupted' });
  assert.deepEqual(judgePod(checkpoint('starting'), up, undefined, pinned), { action: 'stop', reason: 'its start was interrupted' });
  assert.deepEqual(judgePod(checkpoint('stopping'), up, undefined, pinned), { action: 'stop', reason: 'its stop was interrupted' });
  assert.deepEqual(judgePod(checkpoint('running'), [c('app', 'running')], undefined, pinned), { action: 'remove', reason: 'its pause container is gone' });
  const ofSession = checkpoint('running', { spec: { ...spec, session: 'ci-1' } });
  assert.deepEqual(judgePod(ofSession, up, 'ci-1', pinned), { action: 'remove', reason: 'belongs to session ci-1' });
  assert.equal(judgePod(ofSession, up, 'ci-2', pinned), undefined);
});

test('a pod shows its images as its spec names them, whatever name the engine resolved them to', () => {
  // podman reports the resolved localhost/ name; dockerd the name as given.
  const named = { ...spec, pauseImage: 'localhost/podctl-pause:3.10' };
  const members = [c('pause', 'running', { image: 'sha256:0123' }), c('app', 'running', { image: 'localhost/nginx:latest' })];
  const view = podView({ ...newCheckpoint(named), phase: 'running' }, members, named);
  assert.equal(view.pause.image, 'localhost/podctl-pause:3.10');
  assert.deepEqual(view.containers.map((x) => [x.name, x.image]), [['nginx', 'nginx']]);
  // Without a checkpoint (state deleted behind podctl's back) the engine's name is all there is.
  assert.deepEqual(podView(undefined, members, named).containers.map((x) => x.image), ['localhost/nginx:latest']);
});

test('sandboxDied: a pod that should run whose pause is down or gone, or whose new sandbox was under way; not one being deleted, stopped, or a no-restart pod that already ran', () => {
  assert.equal(sandboxDied(checkpoint('running'), up), false);
  assert.equal(sandboxDied(checkpoint('running'), [c('pause', 'exited'), c('app', 'running')]), true, 'pause killed');
  assert.equal(sandboxDied(checkpoint('running'), [c('app', 'running')]), true, 'pause removed');
  assert.equal(sandboxDied(checkpoint('running', { spec: { ...spec, restartPolicy: 'always' } }), [c('app', 'exited')]), true, 'dockerd restarted');
  assert.equal(sandboxDied(checkpoint('running'), [c('app', 'exited')]), false, 'restart policy no and the app ended');
  assert.equal(sandboxDied(checkpoint('stopped'), [c('pause', 'exited'), c('app', 'exited')]), false);
  assert.equal(sandboxDied(checkpoint('running', { deletionTimestamp: '2026-01-01T00:00:01.000Z' }), [c('app', 'running')]), false);
  assert.equal(sandboxDied(checkpoint('starting', { sandboxRecreation: true }), []), true, 'a serve killed during it');
  assert.equal(podView(checkpoint('running'), [c('app', 'running')], { name: 'web', namespace: 'default' }).sandboxDied, true);
});

test('the view carries the restarts podctl counted (for get pods\' RESTARTS without reading the checkpoint again), none when it counted none', () => {
  assert.deepEqual(podView(checkpoint('running', { restarts: { nginx: 2 } }), up, spec).podctlRestarts, { nginx: 2 });
  assert.equal('podctlRestarts' in podView(checkpoint('running'), up, spec), false);
});
