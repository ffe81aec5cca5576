import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { FIXTURES, checkOf, cniTest, cniTestJson, failures, hostPrerequisites, smokeLeftovers } from './fixtures/cni-test/helpers.js';

const BROKEN = join(FIXTURES, 'broken');

/** Each broken config fails at the check that names its fault, with a precise message. */
const CASES: Array<{ file: string; network: string; check: string; message: RegExp }> = [
  { file: 'invalid-json.conflist', network: 'invalid-json.conflist', check: 'json', message: /invalid-json\.conflist is not valid JSON: .*position|JSON/ },
  { file: 'missing-plugin.conflist', network: 'pct-sm-noplugin', check: 'plugin pct-smnothere', message: /CNI plugin "pct-smnothere" not found in \/usr\/lib\/cni, / },
  { file: 'gateway-outside.conflist', network: 'pct-sm-gwout', check: 'subnets', message: /^plugins\[0\]\.ipam\.gateway 10\.231\.12\.1 is outside subnet 10\.231\.11\.0\/24$/ },
  { file: 'range-outside.conflist', network: 'pct-sm-rangeout', check: 'subnets', message: /^plugins\[0\]\.ipam\.ranges\[0\]\[0\]\.rangeEnd 10\.231\.14\.20 is outside subnet 10\.231\.13\.0\/24$/ },
  { file: 'ipam-missing.conflist', network: 'pct-sm-noipam', check: 'ipam', message: /^plugins\[0\] \(bridge\) has no ipam section/ },
  { file: 'plugin-error.conflist', network: 'pct-sm-plugerr', check: 'pod1 add', message: /pct-smfail failed on ADD .*\[code 100\] pct-smfail refuses ADD; as configured by the test/ },
];

for (const c of CASES) {
  test(`broken config ${c.file} fails at "${c.check}"`, { timeout: 60_000 }, async () => {
    const leaks = await LeakChecker.start();
    const { exitCode, report } = await cniTestJson([join(BROKEN, c.file), '--engine', 'netns']);
    assert.equal(exitCode, 1);
    assert.equal(report.passed, false);
    const check = checkOf(report, c.network, c.check);
    assert.equal(check.status, 'failed', JSON.stringify(check));
    assert.match(check.message ?? '', c.message);
    if (c.check !== 'pod1 add') assert.equal(checkOf(report, c.network, 'live').status, 'skipped');
    assert.deepEqual(await smokeLeftovers(), []);
    await leaks.assertClean();
  });
}

test('a plugin error: its stderr is in the report, DEL and the leak check still pass', { timeout: 60_000 }, async () => {
  const leaks = await LeakChecker.start();
  const { report } = await cniTestJson([join(BROKEN, 'plugin-error.conflist'), '--engine', 'netns', '--pods', '1']);
  const net = report.networks[0]!;
  assert.match(net.pluginStderr, /--- pct-smfail ADD cnitest-[0-9a-f]{6}-1-1 \(exit 1\)\npct-smfail: about to refuse/);
  assert.equal(checkOf(report, 'pct-sm-plugerr', 'pod1 del').status, 'passed');
  assert.equal(checkOf(report, 'pct-sm-plugerr', 'pod1 leaks').status, 'passed');
  assert.equal(checkOf(report, 'pct-sm-plugerr', 'pod1 interface').status, 'skipped');
  await leaks.assertClean();
});

test('a plugin that leaks an IP file fails the leak check, and only it', { timeout: 90_000 }, async () => {
  const leaks = await LeakChecker.start();
  const leakedDir = '/var/lib/cni/networks/pct-sm-leaky';
  const undo = await hostPrerequisites();
  try {
    const { exitCode, report } = await cniTestJson([join(BROKEN, 'leaky.conflist'), '--engine', 'netns']);
    assert.equal(exitCode, 1);
    const ids = ['pod1', 'pod2'].map((p) => /cnitest-[0-9a-f]{6}-1-\d/.exec(checkOf(report, 'pct-sm-leaky', `${p} create`).detail ?? '')?.[0]);
    const failed = failures(report);
    assert.equal(failed.length, 2, failed.join('\n'));
    for (const [i, id] of ids.entries()) {
      const message = checkOf(report, 'pct-sm-leaky', `pod${i + 1} leaks`).message ?? '';
      assert.match(message, new RegExp(`^after DEL: IP file ${leakedDir}/10\\.231\\.9\\.2\\d\\d still names container ${id}$`));
    }
  } finally {
    // What the fake leaked into its own store (this test's network), so the harness sees a clean host.
    await rm(leakedDir, { recursive: true, force: true });
    await undo();
  }
  await leaks.assertClean();
});

test('overlapping subnets across tested networks fail the later network\'s subnet check', { timeout: 90_000 }, async () => {
  const leaks = await LeakChecker.start();
  const { exitCode, report } = await cniTestJson([join(FIXTURES, 'overlap'), '--engine', 'netns', '--pods', '1']);
  assert.equal(exitCode, 1);
  assert.equal(checkOf(report, 'pct-sm-overlap-a', 'subnets').status, 'passed');
  assert.equal(checkOf(report, 'pct-sm-overlap-b', 'subnets').message, 'subnet 10.231.16.128/25 overlaps subnet 10.231.16.0/24 of network pct-sm-overlap-a');
  assert.deepEqual(await smokeLeftovers(), []);
  await leaks.assertClean();
});

test('bad usage exits 2 with one error line', { timeout: 60_000 }, async () => {
  const leaks = await LeakChecker.start();
  const cases: Array<[string[], RegExp]> = [
    [['--pods', '0', join(FIXTURES, 'good')], /--pods 0 is out of range/],
    [[join(FIXTURES, 'nope')], /nope does not exist/],
    [[join(FIXTURES, 'good'), '--network', 'pct-sm-nope'], /--network pct-sm-nope: no such network/],
    [['--engine', 'kvm'], /argument 'kvm' is invalid/],
  ];
  for (const [args, message] of cases) {
    const r = await cniTest(args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  await leaks.assertClean();
});
