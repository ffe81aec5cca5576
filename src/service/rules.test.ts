import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DELETE_SCRIPT, renderRules } from './rules.js';
import { FIXTURE_OPTIONS, FIXTURE_SERVICES } from './testing/rules-fixture.js';

const golden = (name: string) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', name), 'utf8');

describe('renderRules', () => {
  it('renders the fixture exactly as the golden file (regenerate it by hand when the layout changes on purpose)', () => {
    assert.equal(renderRules(FIXTURE_SERVICES, FIXTURE_OPTIONS), golden('fixture-rules.nft'));
  });

  it('gives the same text for the same services in any order, so rewriting twice changes nothing', () => {
    const shuffled = [...FIXTURE_SERVICES].reverse().map((s) => ({ ...s, ports: s.ports.map((p) => ({ ...p, endpoints: [...p.endpoints].reverse() })) }));
    assert.equal(renderRules(shuffled, FIXTURE_OPTIONS), renderRules(FIXTURE_SERVICES, FIXTURE_OPTIONS));
  });

  it('only deletes the table when no proxied service is left (headless services have no rules)', () => {
    const unguarded = { ...FIXTURE_OPTIONS, guardLocalnet: false };
    assert.equal(renderRules([], unguarded), DELETE_SCRIPT);
    assert.equal(renderRules(FIXTURE_SERVICES.filter((s) => s.service.clusterIP === 'None'), unguarded), DELETE_SCRIPT);
    assert.match(DELETE_SCRIPT, /^add table ip podctl\ndelete table ip podctl\n$/);
  });

  it('starts every script by deleting the old table in the same transaction', () => {
    assert.ok(renderRules(FIXTURE_SERVICES, FIXTURE_OPTIONS).startsWith(DELETE_SCRIPT + 'table ip podctl {\n'));
  });

  it('gives Services to pods and the host only: prerouting jumps to them from the pod subnets, output from the host', () => {
    const text = renderRules(FIXTURE_SERVICES, FIXTURE_OPTIONS);
    assert.match(text, /chain nat-prerouting \{\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tip saddr @pod-subnets jump services\n\t\}/);
    assert.match(text, /chain nat-output \{\n\t\ttype nat hook output priority -100; policy accept;\n\t\tjump services\n\t\}/);
    assert.doesNotMatch(text, /external-nodeports/);
    const noPods = renderRules(FIXTURE_SERVICES, { ...FIXTURE_OPTIONS, podSubnets: [] });
    assert.doesNotMatch(noPods, /pod-subnets/, 'no pod subnet known: no source but the host');
  });

  it('opens NodePorts to anyone on every local address, or on the listed prefixes, only when asked', () => {
    const all = renderRules(FIXTURE_SERVICES, { ...FIXTURE_OPTIONS, externalNodePorts: 'all' });
    assert.match(all, /chain external-nodeports \{\n\t\tfib daddr type local meta l4proto \. th dport vmap @service-nodeports\n\t\}/);
    assert.match(all, /\t\tip saddr @pod-subnets jump services\n\t\tjump external-nodeports\n/);
    assert.match(all, /\t\tjump services\n\t\tjump external-nodeports\n/, 'the host reaches them too');
    assert.match(all, /\t\tfib daddr type local meta l4proto \. th dport vmap @no-endpoint-nodeports\n/);
    const listed = renderRules(FIXTURE_SERVICES, { ...FIXTURE_OPTIONS, externalNodePorts: ['192.168.1.0/24'] });
    assert.match(listed, /set nodeport-external \{\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = \{ 192\.168\.1\.0\/24 \}\n/);
    assert.match(listed, /fib daddr type local ip daddr @nodeport-external meta l4proto \. th dport vmap @service-nodeports/);
  });

  it('guards route_localnet only when asked, and lets DNATed connections to 127/8 through', () => {
    assert.match(renderRules(FIXTURE_SERVICES, FIXTURE_OPTIONS), /\t\tiifname != "lo" ip daddr 127\.0\.0\.0\/8 ct state new ct status ! dnat drop\n/);
    assert.doesNotMatch(renderRules(FIXTURE_SERVICES, { ...FIXTURE_OPTIONS, guardLocalnet: false }), /127\.0\.0\.0\/8/);
    const alone = renderRules([], { ...FIXTURE_OPTIONS, guardLocalnet: true });
    assert.notEqual(alone, DELETE_SCRIPT, 'the guard alone keeps the table (host ports of the portmap plugin)');
    assert.match(alone, /\t\tiifname != "lo" ip daddr 127\.0\.0\.0\/8 ct state new ct status ! dnat drop\n/);
    assert.equal(renderRules([], { ...FIXTURE_OPTIONS, guardLocalnet: false }), DELETE_SCRIPT);
  });

  it('balances over every endpoint and masquerades only hairpin, host-originated and NodePort traffic', () => {
    const text = renderRules(FIXTURE_SERVICES, FIXTURE_OPTIONS);
    assert.match(text, /numgen random mod 2 vmap \{ 0 : goto ep-default\/web\/tcp\/http\/10\.99\.0\.5\/8080, 1 : goto ep-default\/web\/tcp\/http\/10\.99\.0\.12\/8080 \}/);
    assert.match(text, /ip saddr 10\.99\.0\.5 jump mark-for-masquerade\n\t\tmeta l4proto tcp dnat to 10\.99\.0\.5:8080/);
    assert.match(text, /chain ext-default\/web\/tcp\/http \{\n\t\tjump mark-for-masquerade\n\t\tgoto svc-default\/web\/tcp\/http\n/);
    assert.match(text, /chain svc-default\/web\/tcp\/http \{\n\t\tfib saddr type local jump mark-for-masquerade\n/);
    assert.match(text, /10\.96\.0\.20 \. tcp \. 80 : goto reject-chain/);
    assert.match(text, /tcp \. 30081 : goto reject-chain/);
  });

  it('leads the cluster DNS ClusterIP to the server, without masquerade, and guards the server address from other interfaces', () => {
    const clusterDns = { ip: '10.96.0.10', server: '10.99.0.1', bridge: 'podctl0', port: 53 };
    const alone = renderRules([], { ...FIXTURE_OPTIONS, clusterDns });
    assert.notEqual(alone, DELETE_SCRIPT, 'the DNS alone keeps the table');
    assert.match(alone, /chain services \{\n\t\tip daddr 10\.96\.0\.10 udp dport 53 dnat to 10\.99\.0\.1:53\n\t\tip daddr 10\.96\.0\.10 tcp dport 53 dnat to 10\.99\.0\.1:53\n/);
    assert.match(alone, /ip daddr 10\.99\.0\.1 meta l4proto \{ tcp, udp \} th dport 53 iifname != \{ "lo", "podctl0" \} drop\n\t\tct state new jump endpoints-check/);
    assert.match(alone, /set cluster-ips \{\n\t\ttype ipv4_addr\n\t\telements = \{ 10\.96\.0\.10 \}/);
    assert.doesNotMatch(alone, /10\.96\.0\.10 .*mark-for-masquerade/);
    assert.equal(renderRules(FIXTURE_SERVICES, FIXTURE_OPTIONS), golden('fixture-rules.nft'), 'without DNS nothing changes');
  });
});
