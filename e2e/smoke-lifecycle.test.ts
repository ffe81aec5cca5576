import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LeakChecker, exists } from './harness/leaks.js';
import { FIXTURES, checkOf, cniTest, cniTestJson, hostPrerequisites, smokeLeftovers, startCniTest } from './fixtures/cni-test/helpers.js';

const BRIDGE = join(FIXTURES, 'good', '10-bridge.conflist');
test('--keep leaves the pods wired and says how to enter them; --cleanup removes them', { timeout: 120_000 }, async () => {
  const leaks = await LeakChecker.start();
  const undo = await hostPrerequisites();
  try {
    const { exitCode, report } = await cniTestJson([BRIDGE, '--engine', 'netns', '--keep']);
    assert.equal(exitCode, 0);
    assert.equal(report.kept.length, 2);
    assert.match(report.kept[0]!.enter, /^ip netns exec cnitest-[0-9a-f]{6}-1-1 sh$/);
    assert.equal(checkOf(report, 'pct-sm-bridge', 'pod1 del').message, 'kept (--keep)');
    assert.ok(await exists(report.kept[0]!.netns));
    const text = await cniTest(['--cleanup']);
    assert.equal(text.exitCode, 0, text.stderr);
    assert.match(text.stdout, /CNI DEL pct-sm-bridge cnitest-[0-9a-f]{6}-1-1 eth0/);
    assert.match(text.stdout, /removed namespace cnitest-[0-9a-f]{6}-1-2/);
    assert.ok(!(await exists(report.kept[0]!.netns)));
  } finally {
    await cniTest(['--cleanup']);
    await undo();
    // The bridge plugin's bridge stays after DEL; with --keep the run could not remove it.
    await import('execa').then(({ execa }) => execa('ip', ['link', 'del', 'pct-sm1'], { reject: false }));
  }
  assert.deepEqual(await smokeLeftovers(), []);
  await leaks.assertClean();
});

test('SIGINT in the middle of a run: everything it created is removed', { timeout: 120_000 }, async () => {
  const leaks = await LeakChecker.start();
  const undo = await hostPrerequisites();
  try {
    const child = startCniTest([join(FIXTURES, 'good'), '--engine', 'netns']);
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (d: Buffer) => {
        out += String(d);
        if (/pod2 add/.test(out)) resolve();
      });
      void child.then(() => resolve());
    });
    child.kill('SIGINT');
    const r = await child;
    assert.equal(r.exitCode, 130, String(r.stderr));
    assert.match(String(r.stderr), /SIGINT: cleaning up/);
    assert.match(String(r.stdout), /FAILED \(interrupted\)/);
  } finally {
    await undo();
  }
  assert.deepEqual(await smokeLeftovers(), []);
  await leaks.assertClean();
});
