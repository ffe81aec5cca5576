import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph } from './model.js';
import { renderGraphDot, renderGraphText } from './render.js';
import { loadSnapshot } from '../testing/fixtures.js';

// The pod → host:PORT snapshot holds what the graph reads: the host's links, netns ids, two
// pods on podctl0 (one publishing 18081) and the ruleset with portmap's DNAT.
const graph = () => {
  const s = loadSnapshot('pod-to-hostport');
  return buildGraph({ hostLinks: s.links['']!, netnsIds: s.netnsIds, pods: s.pods, ruleset: s.ruleset });
};

test('bridges, veth pairs (host name, ifindex, hairpin) and pods come from one host listing', () => {
  const g = graph();
  assert.deepEqual(g.bridges.map((b) => [b.name, b.cidrs]), [['podctl0', ['10.99.0.1/16']]]);
  assert.deepEqual(
    g.veths.map((v) => [v.pod, v.podIfname, v.podIp, v.hostIfname, v.hostIfindex, v.bridge, v.hairpin]),
    [
      ['default/pct-tr-a', 'eth0', '10.99.1.17', 'vethf6ab04d2', 446, 'podctl0', true],
      ['default/pct-tr-b', 'eth0', '10.99.1.18', 'veth9114fd5d', 447, 'podctl0', true],
    ],
  );
});

test('host ports are the ruleset\'s DNAT rules that lead to a pod', () => {
  assert.deepEqual(graph().hostPorts, [{ protocol: 'tcp', port: 18081, toIp: '10.99.1.17', toPort: 80, pod: 'default/pct-tr-a' }]);
});

test('text is a tree host → bridge → veth ⇄ pod; dot has a node per bridge and pod and an edge per veth pair', () => {
  const g = graph();
  assert.equal(
    renderGraphText(g),
    [
      'host',
      '└─ bridge podctl0 (ifindex 133) 10.99.0.1/16',
      '   ├─ vethf6ab04d2 (ifindex 446, hairpin) ⇄ eth0 10.99.1.17  pod default/pct-tr-a  [nginx]',
      '   │     host port :18081/tcp → 10.99.1.17:80',
      '   └─ veth9114fd5d (ifindex 447, hairpin) ⇄ eth0 10.99.1.18  pod default/pct-tr-b  [nginx]',
      '',
    ].join('\n'),
  );
  const dot = renderGraphDot(g);
  assert.match(dot, /^digraph podctl \{/);
  assert.ok(dot.includes('"bridge:podctl0" -> "pod:default/pct-tr-a" [label="vethf6ab04d2 ⇄ eth0\\nhairpin", dir=both];'));
  assert.ok(dot.includes('"port:tcp/:18081" -> "pod:default/pct-tr-a" [label="DNAT 10.99.1.17:80", style=dashed];'));
  assert.equal(dot.match(/\[label="pod /g)?.length, 2);
});

test('services: a node with the ClusterIP and ports, an arrow to each endpoint\'s pod; text lists the endpoints', () => {
  const s = loadSnapshot('pod-to-service');
  const g = buildGraph({ hostLinks: s.links['']!, netnsIds: s.netnsIds, pods: s.pods, ruleset: s.ruleset, services: s.services! });
  assert.deepEqual(g.services.map((x) => [x.id, x.clusterIP, x.ports.map((p) => p.endpoints.map((e) => e.pod))]), [
    ['default/empty', '10.96.0.20', [[]]],
    ['default/web', '10.96.0.10', [['default/pct-tr-a', 'default/pct-tr-b']]],
  ]);
  const text = renderGraphText(g);
  assert.ok(text.includes('├─ service default/empty 10.96.0.20\n│     :80/tcp → no endpoints\n'), text);
  assert.ok(text.includes('└─ service default/web 10.96.0.10\n      :80/tcp (NodePort 30080) → 10.99.1.17:80 (default/pct-tr-a), 10.99.1.18:80 (default/pct-tr-b)\n'), text);
  const dot = renderGraphDot(g);
  assert.ok(dot.includes('"service:default/web" -> "pod:default/pct-tr-b" [label=":80 → 10.99.1.18:80", style=dashed, color="#8e44ad"];'), dot);
});
