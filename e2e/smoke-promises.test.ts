import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { sh } from './harness/run.js';
import { FIXTURES, checkOf, cniTestJson, failures, hostPrerequisites, parseJunit, smokeLeftovers } from './fixtures/cni-test/helpers.js';

const PROMISES = join(FIXTURES, 'promises');
const file = (name: string) => join(PROMISES, name);

test('bridge → firewall → bandwidth → tuning: every promise is checked and reported with the value seen', { timeout: 120_000 }, async (t) => {
  const leaks = await LeakChecker.start();
  const undo = await hostPrerequisites();
  const dir = await mkdtemp(join(tmpdir(), 'pct-promises-'));
  try {
    const junit = join(dir, 'report.xml');
    const { exitCode, report, stderr } = await cniTestJson([file('10-shaped.conflist'), '--engine', 'netns', '--junit', junit]);
    assert.deepEqual(failures(report), [], stderr);
    assert.equal(exitCode, 0);
    const net = 'pct-sm-shaped';
    const detail = (check: string) => {
      const c = checkOf(report, net, check);
      assert.equal(c.status, 'passed', `${check}: ${JSON.stringify(c)}`);
      return c.detail ?? '';
    };
    for (const pod of ['pod1', 'pod2']) {
      assert.match(detail(`${pod} bridge`), /^pct-sm10 10\.231\.20\.1\/24.* mtu 1500; port veth[0-9a-f]+ mtu 1500 hairpin on; eth0 mtu 1400$/);
      assert.equal(detail(`${pod} tuning mtu`), 'eth0 mtu 1400');
      assert.equal(detail(`${pod} tuning promisc`), 'eth0 promisc on');
      assert.equal(detail(`${pod} tuning allmulti`), 'eth0 allmulti on');
      assert.equal(detail(`${pod} tuning sysctl net.ipv4.conf.eth0.rp_filter`), 'net.ipv4.conf.eth0.rp_filter = 2');
      assert.match(detail(`${pod} firewall`), /^CNI-FORWARD accepts traffic from and replies to 10\.231\.20\.\d+\/32$/);
      assert.match(detail(`${pod} ipam host-local`), /^10\.231\.20\.\d+\/24; routes 0\.0\.0\.0\/0;/);
      assert.match(detail(`${pod} bandwidth ingress qdisc`), /^veth[0-9a-f]+: tbf 8\.00 Mbit\/s, burst 800000 bits$/);
      assert.match(detail(`${pod} bandwidth egress qdisc`), /^bwp[0-9a-f]+: tbf 8\.00 Mbit\/s, burst 800000 bits$/);
      assert.match(detail(`${pod} → gateway mtu path`), /^1400-byte packet to 10\.231\.20\.1 answered \(MTUs: pod\d eth0 1400, veth veth[0-9a-f]+ 1500, bridge pct-sm10 1500\)$/);
    }
    // Measured on the first pod only, each direction within ±25 % of 8 Mbit/s.
    assert.match(detail('pod1 bandwidth ingress rate'), /Mbit\/s on the wire .*, configured 8\.00 Mbit\/s$/);
    assert.match(detail('pod1 bandwidth egress rate'), /Mbit\/s on the wire .*, configured 8\.00 Mbit\/s$/);
    assert.match(detail('pod1 → pod2 mtu path'), /^1400-byte packet to 10\.231\.20\.\d+ answered/);
    // JUnit carries every promise as a testcase.
    const xml = await parseJunit(junit);
    assert.deepEqual([xml.tests, xml.failures], [report.counts.total, 0]);
    const text = await readFile(junit, 'utf8');
    assert.match(text, /<testcase classname="podctl\.cni\.pct-sm-shaped" name="pod1 tuning sysctl net\.ipv4\.conf\.eth0\.rp_filter" time="[\d.]+">\n {6}<system-out>net\.ipv4\.conf\.eth0\.rp_filter = 2<\/system-out>/);
    t.diagnostic(`two-pod run of the chain with bandwidth: ${report.durationMs} ms`);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await undo();
  }
  assert.deepEqual(await smokeLeftovers(), []);
  await leaks.assertClean();
});

test('broken promises: each fails at the check that names its cause; a mode that forbids pod to pod gets that verdict', { timeout: 180_000 }, async () => {
  const leaks = await LeakChecker.start();
  const undo = await hostPrerequisites();
  try {
    const { exitCode, report } = await cniTestJson([
      file('20-mtu-mismatch.conflist'), file('30-sysctl-unsettable.conflist'), file('40-bandwidth-overridden.conflist'),
      file('50-macvlan-no-parent.conflist'), file('60-macvlan-private.conflist'), '--engine', 'netns',
    ]);
    assert.equal(exitCode, 1);
    const failed = (net: string, check: string, message: RegExp) => {
      const c = checkOf(report, net, check);
      assert.equal(c.status, 'failed', `${net}/${check}: ${JSON.stringify(c)}`);
      assert.match(c.message ?? '', message);
    };
    const passed = (net: string, check: string) => assert.equal(checkOf(report, net, check).status, 'passed', `${net}/${check}: ${JSON.stringify(checkOf(report, net, check))}`);

    // tuning mtu 9000 on a 1500-byte bridge: small pings pass, the MTU path fails naming both MTUs.
    passed('pct-sm-mtu9000', 'pod1 tuning mtu');
    passed('pct-sm-mtu9000', 'pod1 → pod2 ping');
    failed('pct-sm-mtu9000', 'pod1 → pod2 mtu path', /^a 9000-byte packet \(don't fragment\) from pod1 does not reach pod2 10\.231\.21\.\d+: pod1's MTU is 9000 but the path carries at most 1500 \(MTUs: pod1 eth0 9000, veth veth[0-9a-f]+ 1500, bridge pct-sm11 1500/);
    failed('pct-sm-mtu9000', 'pod1 → gateway mtu path', /pod1's MTU is 9000 but the path carries at most 1500/);

    // A sysctl tuning cannot set: ADD fails naming it, and nothing leaks.
    failed('pct-sm-sysctl', 'pod1 add', /tuning failed on ADD .*\/proc\/sys\/net\/ipv4\/conf\/eth0\/pct_no_such_knob: no such file/);
    passed('pct-sm-sysctl', 'pod1 leaks');

    // A second qdisc (the fake plugin after bandwidth) overrides the rate: the qdisc and the measurement say so.
    failed('pct-sm-bwover', 'pod1 bandwidth ingress qdisc', /^ingressRate 8000000 bit\/s: the tbf on veth[0-9a-f]+ shapes to 2000000 bit\/s/);
    failed('pct-sm-bwover', 'pod1 bandwidth ingress rate', /^ingressRate 8\.00 Mbit\/s: measured [\d.]+ Mbit\/s \(-\d+ %, more than ±25 % off\)$/);
    const unknown = checkOf(report, 'pct-sm-bwover', 'pct-smqdisc effect');
    assert.equal(unknown.status, 'skipped');
    assert.match(unknown.message ?? '', /^podctl does not know what pct-smqdisc promises: it ran and was leak-checked, its effect was not checked$/);
    passed('pct-sm-bwover', 'pod1 leaks');

    // macvlan without its parent: the parent check names it before ADD fails.
    failed('pct-sm-nomaster', 'macvlan master', /^master pct-smnomaster of macvlan \(plugins\[0\]\) is not a link on this host/);
    failed('pct-sm-nomaster', 'pod1 add', /macvlan failed on ADD/);

    // macvlan private: the pods must not reach each other, and do not.
    assert.match(checkOf(report, 'pct-sm-private', 'pod1 macvlan').detail ?? '', /^eth0 macvlan mode private on pct-smdummy mtu 1500$/);
    assert.match(checkOf(report, 'pct-sm-private', 'pod1 → pod2 ping').detail ?? '', /^no answer, as expected: macvlan mode private forbids/);
    assert.deepEqual(failures(report).filter((f) => f.startsWith('pct-sm-private/')), []);
  } finally {
    await undo();
  }
  assert.deepEqual(await smokeLeftovers(), []);
  await leaks.assertClean();
});

test('one pod each: static ipam with sbr, a host device the test made', { timeout: 90_000 }, async () => {
  const leaks = await LeakChecker.start();
  const undo = await hostPrerequisites();
  // The host-device plugin takes a link off the host: a throwaway veth end made here.
  await sh('ip', ['link', 'add', 'pct-smhd', 'type', 'veth', 'peer', 'name', 'pct-smhdp']);
  try {
    const { report } = await cniTestJson([file('70-static-sbr.conflist'), file('90-host-device.conflist'), '--engine', 'netns', '--pods', '1']);
    const passed = (net: string, check: string) => {
      const c = checkOf(report, net, check);
      assert.equal(c.status, 'passed', `${net}/${check}: ${JSON.stringify(c)}`);
      return c.detail ?? '';
    };
    for (const check of ['macvlan master', 'pod1 interface', 'pod1 routes', 'pod1 macvlan', 'pod1 leaks']) passed('pct-sm-static-sbr', check);
    assert.match(passed('pct-sm-static-sbr', 'pod1 ipam static'), /^10\.231\.26\.10\/24; routes 10\.231\.27\.0\/24 via 10\.231\.26\.1;/);
    assert.match(passed('pct-sm-static-sbr', 'pod1 sbr'), /^from 10\.231\.26\.10 lookup \d+: .*10\.231\.27\.0\/24 via 10\.231\.26\.1/);

    assert.match(passed('pct-sm-hostdev', 'host-device device'), /^pct-smhd: veth, mtu 1500$/);
    assert.match(passed('pct-sm-hostdev', 'pod1 host-device'), /^pct-smhd is eth0 in netns cnitest-/);
    passed('pct-sm-hostdev', 'pod1 ipam static');
    passed('pct-sm-hostdev', 'pod1 leaks');
  } finally {
    await execa('ip', ['link', 'del', 'pct-smhd'], { reject: false });
    await undo();
  }
  assert.deepEqual(await smokeLeftovers(), []);
  await leaks.assertClean();
});
