import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countChecks, type NetworkReport, type SmokeReport } from '../types.js';
import { HumanReporter, plainLine } from './human.js';
import { renderJsonReport } from './json.js';
import { escapeXml, renderJunit } from './junit.js';

const net = (name: string, checks: NetworkReport['checks'], pluginStderr = ''): NetworkReport => ({
  name, file: `/x/${name}.conflist`, cniVersion: '1.0.0', checks, pluginStderr, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 1234,
});

const networks = [
  net('good', [{ name: 'json', stage: 'static', status: 'passed', durationMs: 1 }, { name: 'pod1 add', stage: 'live', status: 'passed', durationMs: 85, detail: 'eth0 10.0.0.2/24' }]),
  net('bad<&>', [
    { name: 'pod1 routes', stage: 'live', status: 'failed', durationMs: 12, message: 'route 1.1.1.1/32 via 10.0.10.1 missing in netns "x"; found: <none> & \u0001' },
    { name: 'pod1 check', stage: 'live', status: 'skipped', durationMs: 0, message: "cniVersion 0.3.1 has no CHECK" },
  ], '--- bridge ADD c1 (exit 1)\nfailed: <bad> "quote"\n'),
];
const report: SmokeReport = { engine: 'netns', passed: false, interrupted: false, counts: countChecks(networks), networks, kept: [], startedAt: '2025-01-01T00:00:00.000Z', durationMs: 2500 };

test('escapeXml escapes markup and drops characters XML cannot carry', () => {
  assert.equal(escapeXml(`a<b>&"c"'d'\u0001\u001b[31m`), 'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;[31m');
});

test('JUnit: one testsuite per network, one testcase per check, right counts, failure and skipped, plugin stderr', () => {
  const xml = renderJunit(report);
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="podctl cni test" tests="4" failures="1" errors="0" skipped="1" time="2.500">/);
  assert.equal((xml.match(/<testsuite /g) ?? []).length, 2);
  assert.equal((xml.match(/<testcase /g) ?? []).length, 4);
  assert.match(xml, /<testsuite name="bad&lt;&amp;&gt;" id="1" tests="2" failures="1" errors="0" skipped="1"/);
  assert.match(xml, /<failure message="route 1.1.1.1\/32 via 10.0.10.1 missing in netns &quot;x&quot;; found: &lt;none&gt; &amp; " type="live-check">/);
  assert.match(xml, /<skipped message="cniVersion 0.3.1 has no CHECK"\/>/);
  assert.match(xml, /<system-out>--- bridge ADD c1 \(exit 1\)\nfailed: &lt;bad&gt; &quot;quote&quot;\n<\/system-out>/);
  assert.doesNotMatch(xml, /\u0001/);
  // Balanced: every opened element is closed.
  const opened = (xml.match(/<(testsuites|testsuite|testcase|failure|system-out|properties)[ >]/g) ?? []).length;
  const closed = (xml.match(/<\/(testsuites|testsuite|testcase|failure|system-out|properties)>/g) ?? []).length + (xml.match(/<testcase [^>]*\/>/g) ?? []).length;
  assert.equal(opened, closed);
});

test('JSON report round-trips', () => {
  assert.deepEqual(JSON.parse(renderJsonReport(report)), report);
});

test('plain lines for CI logs and a live list on a terminal', () => {
  assert.equal(plainLine({ name: 'pod1 add', stage: 'live', status: 'passed', durationMs: 85, detail: 'eth0 10.0.0.2/24' }), '  ok   pod1 add (85 ms): eth0 10.0.0.2/24\n');
  assert.equal(plainLine({ name: 'subnets', stage: 'static', status: 'failed', durationMs: 3, message: 'x' }), '  FAIL subnets (3 ms): x\n');
  let out = '';
  const tty = new HumanReporter((t) => (out += t), { tty: true });
  tty.checkStarted('n', 'pod1 add');
  tty.checkFinished('n', { name: 'pod1 add', stage: 'live', status: 'passed', durationMs: 85 });
  assert.match(out, /…\x1b\[0m pod1 add\r\x1b\[2K  \x1b\[32m✓\x1b\[0m pod1 add  \x1b\[2m85 ms/);
  let plain = '';
  new HumanReporter((t) => (plain += t), { tty: false }).runFinished(report);
  assert.match(plain, /FAILED: 2 passed, 1 failed, 1 skipped in 2.5 s/);
  assert.doesNotMatch(plain, /\x1b/);
});
