import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodctlError } from '../util/errors.js';
import { silentLogger } from '../util/logger.js';
import { settleAll } from '../util/settle.js';
import { Rollback, StepRunner, withRollback } from './steps.js';

test('a failure unwinds the undos in reverse, runs every one, and keeps the first error', async () => {
  const done: string[] = [];
  const failure = new PodctlError('CNI', 'ADD failed');
  await assert.rejects(
    withRollback(silentLogger, async (rollback) => {
      rollback.push('remove pause', async () => void done.push('pause'));
      rollback.push('unpin', async () => {
        done.push('unpin');
        throw new Error('busy');
      });
      rollback.push('DEL', async () => void done.push('DEL'));
      throw failure;
    }),
    (err) => err === failure && (err as PodctlError).details?.undoErrors !== undefined,
  );
  assert.deepEqual(done, ['DEL', 'unpin', 'pause']);
  assert.deepEqual(failure.details?.undoErrors, ['busy']);
});

test('success commits: nothing is undone, the value comes back', async () => {
  const done: string[] = [];
  assert.equal(await withRollback(silentLogger, async (rollback) => (rollback.push('x', async () => void done.push('x')), 42)), 42);
  assert.deepEqual(done, []);
  const undone: string[] = [];
  const rollback = new Rollback();
  rollback.push('y', async () => void undone.push('y'));
  rollback.commit();
  assert.deepEqual(await rollback.unwind(silentLogger), []);
  assert.equal(undone.length, 0);
});

test('settleAll waits for every sibling before it fails with the first failure', async () => {
  let slowDone = false;
  const slow = new Promise<string>((resolve) => setTimeout(() => ((slowDone = true), resolve('slow')), 20));
  await assert.rejects(settleAll<string>([Promise.reject(new Error('first')), slow, Promise.reject(new Error('second'))]), /first/);
  assert.ok(slowDone, 'the slow sibling had finished before the failure was reported');
  assert.deepEqual(await settleAll([Promise.resolve(1), Promise.resolve(2)]), [1, 2]);
});

test('the fault-injection switch fails exactly the named step', async () => {
  const steps = new StepRunner(silentLogger, { PODCTL_FAULT_STEP: 'cni-add' });
  assert.equal(await steps.run('pin-netns', async () => 'pinned'), 'pinned');
  await assert.rejects(steps.run('cni-add', async () => 'never'), /fault injected at step cni-add/);
});
