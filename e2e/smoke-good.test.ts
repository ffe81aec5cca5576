import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { FIXTURES, checkOf, cniTest, cniTestJson, failures, hostPrerequisites, parseJunit, smokeLeftovers } from './fixtures/cni-test/helpers.js';

const GOOD = join(FIXTURES, 'good');
const NETWORKS = ['pct-sm-bridge', 'pct-sm-default', 'pct-sm-ptp', 'pct-sm-macvlan', 'pct-sm-v020', 'pct-sm-v031', 'pct-sm-v040', 'pct-sm-v100'];

test('netns engine: every good config passes; JUnit parses with the right counts', { timeout: 240_000 }, async () => {
  const leaks = await LeakChecker.start();
  const undo = await hostPrerequisites();
  const dir = await mkdtemp(join(tmpdir(), 'pct-smoke-'));
  try {
    const junit = join(dir, 'report.xml');
    const { exitCode, report, stderr } = await cniTestJson([GOOD, '--engine', 'netns', '--junit', junit]);
    assert.deepEqual(failures(report), [], stderr);
    assert.equal(exitCode, 0);
    assert.equal(report.engine, 'netns');
    assert.deepEqual(report.networks.map((n) => n.name), NETWORKS);
    assert.equal(checkOf(report, 'pct-sm-default', 'pod1 portmap').status, 'passed');
    assert.equal(checkOf(report, 'pct-sm-bridge', 'pod1 check').status, 'passed');
    assert.equal(checkOf(report, 'pct-sm-v040', 'pod2 check').status, 'passed');
    assert.match(checkOf(report, 'pct-sm-v020', 'pod1 check').message ?? '', /0\.2\.0 has no CHECK/);
    assert.equal(checkOf(report, 'pct-sm-v031', 'pod1 check').status, 'skipped');
    assert.equal(checkOf(report, 'pct-sm-ptp', 'pod1 gateway').status, 'passed');
    assert.equal(checkOf(report, 'pct-sm-macvlan', 'pod1 → pod2 ping').status, 'passed');
    for (const n of NETWORKS) assert.equal(checkOf(report, n, 'pod2 leaks').status, 'passed', n);
    const xml = await parseJunit(junit);
    assert.deepEqual([xml.tests, xml.failures, xml.skipped], [report.counts.total, 0, report.counts.skipped]);
    assert.deepEqual(xml.suites.map((s) => s.name), NETWORKS);
    assert.equal(xml.suites.reduce((n, s) => n + s.tests, 0), report.counts.total);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await undo();
  }
  assert.deepEqual(await smokeLeftovers(), []);
  await leaks.assertClean();
});

test('docker engine: pause-container pods pass the bridge and the podctl-style default config', { timeout: 180_000 }, async () => {
  const leaks = await LeakChecker.start();
  const undo = await hostPrerequisites();
  try {
    const { exitCode, report, stderr } = await cniTestJson([join(GOOD, '10-bridge.conflist'), join(GOOD, '20-default.conflist'), '--engine', 'docker']);
    assert.deepEqual(failures(report), [], stderr);
    assert.equal(exitCode, 0);
    assert.equal(report.engine, 'docker');
    assert.match(checkOf(report, 'pct-sm-bridge', 'pod1 create').detail ?? '', /^docker sandbox \/var\/run\/netns\/cnitest-/);
    assert.equal(checkOf(report, 'pct-sm-default', 'pod2 portmap').status, 'passed');
  } finally {
    await undo();
  }
  assert.deepEqual(await smokeLeftovers(), []);
  await leaks.assertClean();
});

test('plain output off a terminal: one line per check and a verdict', { timeout: 120_000 }, async () => {
  const leaks = await LeakChecker.start();
  const undo = await hostPrerequisites();
  try {
    const r = await cniTest([join(GOOD, '30-ptp.conflist'), '--engine', 'netns', '--pods', '3']);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^network pct-sm-ptp/m);
    assert.match(r.stdout, /^ {2}ok {3}pod3 → pod1 ping \(\d+ ms\): 10\.231\.3\.\d+ answered$/m);
    assert.match(r.stdout, /^PASSED: \d+ passed, 0 failed, 0 skipped in [\d.]+ s$/m);
    assert.doesNotMatch(r.stdout, /\x1b\[/);
  } finally {
    await undo();
  }
  await leaks.assertClean();
});
