import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupTraceLines } from './monitor-lines.js';
import { traceTableScript } from './trace-table.js';

test('nft monitor lines: one packet per line of the own table, its rules in order, counters and other events left out', () => {
  const own = 'podctl-trace-42';
  const lines = [
    'add table ip podctl-trace-42',
    'trace id 90ad1617 ip podctl-trace-42 pre packet: iif "podctl0" ip saddr 10.99.1.17 ip daddr 10.99.1.18 tcp sport 56146 tcp dport 80 tcp flags == syn',
    'trace id 90ad1617 ip podctl-trace-42 pre rule ip saddr 10.99.1.17 meta nftrace set 1 (verdict continue)',
    'trace id 90ad1617 ip nat PREROUTING packet: iif "podctl0" ip saddr 10.99.1.17',
    'trace id 90ad1617 ip nat PREROUTING policy accept ',
    'trace id 90ad1617 ip filter FORWARD rule counter packets 9 bytes 540 jump CNI-FORWARD (verdict jump CNI-FORWARD)',
    'trace id 90ad1617 ip filter CNI-FORWARD rule ip saddr 10.99.1.17 counter packets 1 bytes 60 accept (verdict accept)',
    'trace id 90ad1617 ip podctl-trace-42 pre packet: iif "podctl0" ip saddr 10.99.1.17 tcp flags == ack',
    'trace id 90ad1617 ip filter CNI-FORWARD rule ip saddr 10.99.1.17 accept (verdict accept)',
    'delete table ip podctl-trace-42',
  ];
  const packets = groupTraceLines(lines, own);
  assert.equal(packets.length, 2);
  assert.match(packets[0]!.packet, /tcp flags == syn$/);
  assert.deepEqual(packets[0]!.steps, [
    'ip nat PREROUTING: policy accept',
    'ip filter FORWARD: rule jump CNI-FORWARD (verdict jump CNI-FORWARD)',
    'ip filter CNI-FORWARD: rule ip saddr 10.99.1.17 accept (verdict accept)',
  ]);
  assert.deepEqual(packets[1]!.steps, ['ip filter CNI-FORWARD: rule ip saddr 10.99.1.17 accept (verdict accept)']);
});

test('the trace table matches exactly the probe\'s 5-tuple, before conntrack, on both entry hooks', () => {
  const script = traceTableScript('podctl-trace-7', { saddr: '10.99.0.5', daddr: '10.99.0.6', protocol: 'udp', sport: 45000, dport: 53 });
  const match = 'ip saddr 10.99.0.5 ip daddr 10.99.0.6 udp sport 45000 udp dport 53 meta nftrace set 1;';
  assert.match(script, /^table ip podctl-trace-7 \{/);
  for (const hook of ['prerouting', 'output']) assert.ok(script.includes(`hook ${hook} priority -400; policy accept; ${match}`), hook);
});
