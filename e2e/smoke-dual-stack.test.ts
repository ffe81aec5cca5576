import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { FIXTURES, checkOf, cniTestJson, failures, hostPrerequisites, smokeLeftovers } from './fixtures/cni-test/helpers.js';

// A correct dual-stack bridge + portmap config must pass `podctl cni test`, whatever the timing:
// IPv6 is tested as IPv4 is (addresses, routes, gateway, pod↔pod, portmap), after the new IPv6
// addresses have left duplicate address detection; portmap 1.1.x's broken CHECK
// (containernetworking/plugins#819) is reported as that known plugin bug, not as a broken config.

const DUAL = join(FIXTURES, 'dual-stack');

for (const engine of ['netns', 'docker']) {
  test(`${engine} engine: a dual-stack config passes, IPv6 checked like IPv4`, { timeout: 120_000 }, async () => {
    const leaks = await LeakChecker.start();
    const undo = await hostPrerequisites();
    try {
      const { exitCode, report, stderr } = await cniTestJson([DUAL, '--engine', engine]);
      assert.deepEqual(failures(report), [], stderr);
      assert.equal(exitCode, 0);
      const net = 'pct-sm-dual';
      for (const pod of ['pod1', 'pod2']) {
        const check = checkOf(report, net, `${pod} check`);
        assert.equal(check.status, 'skipped');
        assert.match(check.message ?? '', /known plugin bug.*containernetworking\/plugins#819.*"disableCheck": true/);
        assert.match(checkOf(report, net, `${pod} interface`).detail ?? '', /10\.231\.18\.\d+\/24, fd00:231:18::\w+\/64/);
        assert.match(checkOf(report, net, `${pod} routes`).detail ?? '', /0\.0\.0\.0\/0, ::\/0/);
        assert.equal(checkOf(report, net, `${pod} gateway`).detail, '10.231.18.1, fd00:231:18::1 answered');
        assert.match(checkOf(report, net, `${pod} portmap`).detail ?? '', /^127\.0\.0\.1:\d+ → \S+:8080, \[fd00:231:18::1\]:\d+ → \S+:8080 answered$/);
      }
      assert.match(checkOf(report, net, 'pod1 → pod2 ping').detail ?? '', /^10\.231\.18\.\d+, fd00:231:18::\w+ answered$/);
      assert.match(checkOf(report, net, 'pod2 → pod1 ping').detail ?? '', /^10\.231\.18\.\d+, fd00:231:18::\w+ answered$/);
    } finally {
      await undo();
    }
    assert.deepEqual(await smokeLeftovers(), []);
    await leaks.assertClean();
  });
}
