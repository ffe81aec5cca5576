import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary } from '../docker/containers.js';
import { isPodctlError } from '../util/errors.js';
import { inDeclaredOrder, pickContainer } from './container-io.js';
import { LABEL } from './labels.js';
import type { PodSpec } from './spec.js';

const ref = { name: 'web', namespace: 'default' };

function member(container: string, role: string, created: number): ContainerSummary {
  return { id: `id-${container}`, name: `web-${container}`, image: 'busybox', state: 'running', status: 'Up', created, labels: { [LABEL.role]: role, [LABEL.container]: container } };
}

// Created in parallel, so creation order says nothing about the spec's order.
const members = [member('pause', 'pause', 1), member('side', 'app', 2), member('main', 'app', 3), member('setup', 'init', 4)];
const spec = { initContainers: [{ name: 'setup' }], containers: [{ name: 'main' }, { name: 'side' }] } as unknown as PodSpec;

test('the default container is the first app container the spec declares, not the earliest created', () => {
  assert.equal(pickContainer(ref, members, spec, undefined, ['app']).id, 'id-main');
  assert.equal(pickContainer(ref, members, spec, undefined, ['init', 'app']).id, 'id-main');
});

test('without a spec (checkpoint gone) the earliest created app container is the default', () => {
  assert.equal(pickContainer(ref, members, undefined, undefined, ['app']).id, 'id-side');
});

test('a named container must have an allowed role; the error lists the ones there are', () => {
  assert.equal(pickContainer(ref, members, spec, 'setup', ['init', 'app']).id, 'id-setup');
  assert.throws(
    () => pickContainer(ref, members, spec, 'setup', ['app']),
    (err) => isPodctlError(err) && err.code === 'NOT_FOUND' && /has no container setup/.test(err.message) && /main, side/.test(err.hint ?? ''),
  );
  assert.throws(() => pickContainer(ref, members, spec, 'pause', ['init', 'app']), /has no container pause/);
});

test('a pod with only a pause (or nothing) is not found', () => {
  assert.throws(() => pickContainer(ref, [members[0]!], spec, undefined, ['app']), /pod default\/web not found|pod web not found/);
});

test('declared order puts init containers first and leaves the pause out', () => {
  assert.deepEqual(inDeclaredOrder(members, spec).map((c) => c.id), ['id-setup', 'id-main', 'id-side']);
});

test('--prefix puts [pod/NAME/CONTAINER] before every line, also of a lone container and of an unterminated last line', async () => {
  const { podLogs } = await import('./container-io.js');
  const { collectOutput } = await import('../docker/containers.js');
  const { Readable } = await import('node:stream');
  const out = collectOutput();
  const deps = {
    containers: {
      logs: async (id: string, sink: { stdout: NodeJS.WritableStream }) => {
        for await (const chunk of Readable.from([`${id} one\n${id} tw`, 'o\nlast'])) await new Promise((r) => sink.stdout.write(chunk, r));
      },
    },
  } as unknown as Parameters<typeof podLogs>[0];
  await podLogs(deps, ref, members, spec, out.sink, { all: true, podPrefix: true, container: 'main' });
  assert.equal(out.text().stdout, '[pod/web/main] id-main one\n[pod/web/main] id-main two\n[pod/web/main] last\n');
  const both = collectOutput();
  await podLogs(deps, ref, members, spec, both.sink, { all: true });
  assert.match(both.text().stdout, /^\[setup\] id-setup one\n/);
});
