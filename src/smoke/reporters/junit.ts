import { hostname } from 'node:os';
import { countChecks, type CheckResult, type NetworkReport, type SmokeReport } from '../types.js';

/** XML 1.0 forbids most control characters even when escaped: drop them. */
const INVALID_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const attrs = (pairs: Record<string, string | number>) =>
  Object.entries(pairs).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');

/**
 * JUnit XML as CI servers read it: one <testsuite> per network, one <testcase> per check
 * (classname podctl.cni.<network>), <failure> with the expected/found message, <skipped>
 * with the reason, and the plugins' stderr in the suite's <system-out>.
 */
export function renderJunit(report: SmokeReport): string {
  const c = report.counts;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'podctl cni test', tests: c.total, failures: c.failed, errors: 0, skipped: c.skipped, time: seconds(report.durationMs) })}>`,
    ...report.networks.flatMap((n, i) => suite(n, i)),
    '</testsuites>',
  ];
  return lines.join('\n') + '\n';
}

function suite(net: NetworkReport, id: number): string[] {
  const c = countChecks([net]);
  const head = `  <testsuite${attrs({
    name: net.name, id, tests: c.total, failures: c.failed, errors: 0, skipped: c.skipped,
    time: seconds(net.durationMs), timestamp: net.startedAt.replace(/Z$/, ''), hostname: hostname(),
  })}>`;
  const props = net.file ? [`    <properties>`, `      <property${attrs({ name: 'file', value: net.file })}/>`, ...(net.cniVersion ? [`      <property${attrs({ name: 'cniVersion', value: net.cniVersion })}/>`] : []), `    </properties>`] : [];
  const out = net.pluginStderr ? [`    <system-out>${escapeXml(net.pluginStderr)}</system-out>`] : [];
  return [head, ...props, ...net.checks.map((check) => testcase(net.name, check)), ...out, '  </testsuite>'];
}

function testcase(network: string, check: CheckResult): string {
  const open = `    <testcase${attrs({ classname: `podctl.cni.${network}`, name: check.name, time: seconds(check.durationMs) })}`;
  if (check.status === 'failed') {
    const message = check.message ?? 'failed';
    return `${open}>\n      <failure${attrs({ message, type: `${check.stage}-check` })}>${escapeXml(message)}</failure>\n    </testcase>`;
  }
  if (check.status === 'skipped') return `${open}>\n      <skipped${attrs({ message: check.message ?? '' })}/>\n    </testcase>`;
  if (check.detail) return `${open}>\n      <system-out>${escapeXml(check.detail)}</system-out>\n    </testcase>`;
  return `${open}/>`;
}
