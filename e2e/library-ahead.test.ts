import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LeakChecker } from './harness/leaks.js';
import { fetchText, podctl, uniqueName } from './harness/run.js';
import { PodSession } from '../src/index.js';

// A PodSession that prepares sandboxes ahead of demand and removes pods in the background
// (the fast path for test suites that run many pods): the pods work as any other, the
// prepared sandbox survives a concurrent `podctl gc`, and the session leaves nothing behind.
let leaks: LeakChecker;
beforeEach(async () => {
  leaks = await LeakChecker.start();
});
afterEach(async () => {
  await leaks.assertClean();
});

describe('PodSession with prepareAhead and backgroundRemoval', () => {
  it('runs pods in prepared sandboxes and leaves nothing behind', async () => {
    await using pods = await PodSession.open({ prepareAhead: 1, backgroundRemoval: true });
    // A pod that serves its own hostname over HTTP.
    const server = { image: 'busybox:latest', args: ['sh', '-c', 'hostname > /tmp/index.html; exec httpd -f -p 80 -h /tmp'], wait: { http: { port: 80 } } };

    const first = await pods.run(server);
    assert.deepEqual(await fetchText(first.url(80)), { status: 200, body: `${first.name}\n` });
    await first.remove();
    await pods.idle();

    // One sandbox is ready now: a pod with no containers that the session does not list.
    const waiting = await pods.manager.list({ session: pods.id, all: true, namespace: undefined });
    assert.equal(waiting.length, 1, JSON.stringify(waiting));
    assert.deepEqual(waiting[0]!.containers, []);
    assert.deepEqual(await pods.list(), []);

    // Its owner is alive and holds its lock: gc leaves it alone, as it does a run at work.
    const gc = JSON.parse((await podctl(['gc', '-o', 'json'])).stdout) as { actions: Array<{ target: string; error?: string }> };
    const seen = gc.actions.find((a) => a.target === waiting[0]!.name);
    assert.match(seen?.error ?? '', /another podctl is working on it/, JSON.stringify(gc.actions));

    const second = await pods.run(server);
    assert.equal(second.name, waiting[0]!.name, 'the run took the prepared sandbox');
    assert.deepEqual(await fetchText(second.url(80)), { status: 200, body: `${second.name}\n` });
    assert.deepEqual((await pods.list()).map((p) => [p.name, p.state]), [[second.name, 'running']]);

    // A named pod is made cold; removing it returns at once, and running the same name again
    // waits for that removal.
    const name = uniqueName('pct-ahead');
    const named = await pods.run({ name, image: 'busybox:latest', args: ['sleep', '3600'] });
    await named.remove();
    const again = await pods.run({ name, image: 'busybox:latest', args: ['sleep', '3600'] });
    assert.equal(again.name, name);
    // Leaving the block removes the pods, the background removals and the sandbox kept ready.
  });
});
