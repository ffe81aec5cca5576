import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { PODCTL, eventually, podctl, podctlOk, sh, uniqueName, type CliResult } from './harness/run.js';
import { PrivateCni, removeForce } from './reliability-support.js';
import type { TraceResult } from '../src/trace/types.js';

// `podctl trace` and `podctl net graph` on real pods, bridges and the host's real ruleset
// (Docker's FORWARD policy DROP included). Three private networks of the test's own: one with
// the firewall and portmap plugins (traffic passes), one without the firewall plugin (Docker's
// FORWARD DROP stops pod-to-pod traffic), one whose route names a gateway the bridge does
// not have. Five pods in all; the leak checker and a check for trace tables close the file.

const tag = process.pid.toString(36).slice(-4);
const octet = 100 + (process.pid % 50);
const nets = {
  ok: { network: `pct-tr-ok-${tag}`, bridge: `pcttrok${tag}`, subnet: `10.234.${octet}.0/24` },
  nofw: { network: `pct-tr-nofw-${tag}`, bridge: `pcttrnf${tag}`, subnet: `10.234.${octet + 50}.0/24` },
  badgw: { network: `pct-tr-gw-${tag}`, bridge: `pcttrgw${tag}`, subnet: `10.234.${octet + 100}.0/24` },
};
const HOST_PORT = 20000 + (process.pid % 10000);

const traceTables = async (): Promise<string[]> => (await sh('nft', ['list', 'tables'])).split('\n').filter((l) => l.includes('podctl-trace-'));

function parseTrace(r: CliResult): TraceResult {
  assert.ok(r.stdout.trim().startsWith('{'), `trace -o json printed JSON; exit ${r.exitCode}, stderr: ${r.stderr}`);
  return JSON.parse(r.stdout) as TraceResult;
}

describe('podctl trace and net graph', () => {
  let leaks: LeakChecker;
  let cni: PrivateCni;
  let nofw: PrivateCni;
  let badgw: PrivateCni;
  const pods = { a: uniqueName('pct-tr-a'), b: uniqueName('pct-tr-b'), c: uniqueName('pct-tr-c'), d: uniqueName('pct-tr-d'), e: uniqueName('pct-tr-e') };

  before(async () => {
    leaks = await LeakChecker.start();
    [cni, nofw, badgw] = await Promise.all([
      PrivateCni.create({ ...nets.ok, extraPlugins: [{ type: 'portmap', capabilities: { portMappings: true }, snat: true }, { type: 'firewall' }] }),
      PrivateCni.create(nets.nofw),
      PrivateCni.create(nets.badgw),
    ]);
    const bad = badgw.config() as { plugins: Array<{ ipam: Record<string, unknown> }> };
    bad.plugins[0]!.ipam.routes = [{ dst: '0.0.0.0/0', gw: nets.badgw.subnet.replace('.0/24', '.254') }];
    await badgw.writeConfig(bad);
    await Promise.all([
      podctlOk([...cni.flags, 'run', '--name', pods.a, '--image', 'nginx', '-p', `${HOST_PORT}:80`, '--wait-http', ':80/']),
      podctlOk([...cni.flags, 'run', '--name', pods.b, '--image', 'nginx', '--wait-http', ':80/']),
      podctlOk([...nofw.flags, 'run', '--name', pods.c, '--image', 'nginx', '--wait']),
      podctlOk([...nofw.flags, 'run', '--name', pods.d, '--image', 'nginx', '--wait']),
      podctlOk([...badgw.flags, 'run', '--name', pods.e, '--image', 'nginx', '--wait']),
    ]);
  });

  after(async () => {
    await removeForce(Object.values(pods));
    await Promise.all([cni?.cleanup(), nofw?.cleanup(), badgw?.cleanup()]);
    assert.deepEqual(await traceTables(), [], 'no trace table is left');
    await leaks.assertClean();
  });

  test('pod → pod arrives, naming the real veths, the bridge and the rule that accepts it', async () => {
    const r = await podctl(['trace', pods.a, pods.b, '-o', 'json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const t = parseTrace(r);
    assert.equal(t.verdict.outcome, 'arrives');
    assert.equal(t.verdict.listening, true);
    assert.equal(t.verdict.pod, `default/${pods.b}`);
    const hostVeths = JSON.parse(await sh('ip', ['-j', 'link', 'show', 'master', nets.ok.bridge])) as Array<{ ifname: string; ifindex: number }>;
    const iface = t.hops.find((h) => h.kind === 'interface')!;
    const veth = t.hops.find((h) => h.kind === 'veth')!;
    for (const hop of [iface, veth]) {
      assert.ok(hostVeths.some((v) => v.ifname === hop.facts.hostIfname && v.ifindex === hop.facts.hostIfindex), `${hop.title} names a real port of ${nets.ok.bridge}`);
    }
    assert.equal(t.hops.find((h) => h.kind === 'bridge')?.facts.bridge, nets.ok.bridge);
    const forward = t.hops.find((h) => h.kind === 'netfilter' && h.facts.hook === 'forward')!;
    assert.ok(forward.details.some((d) => d.includes('CNI-FORWARD') && d.includes('accept')), forward.details.join('\n'));
    const text = await podctlOk(['trace', pods.a, pods.b]);
    assert.match(text.stdout, /verdict: arrives at pod default\/pct-tr-b.* nginx listens on 0\.0\.0\.0:80\/tcp/);
  });

  test('host → pod on a port nothing listens on: arrives, not listening, and says what does', async () => {
    const r = await podctl(['trace', 'host', pods.b, '-p', '81', '-o', 'json']);
    assert.equal(r.exitCode, 1);
    const t = parseTrace(r);
    assert.equal(t.verdict.outcome, 'arrives');
    assert.equal(t.verdict.listening, false);
    assert.match(t.verdict.reason, /nothing listens on tcp\/81 .*it listens on tcp 80/);
    assert.equal(t.hops[0]!.facts.dev, nets.ok.bridge);
  });

  test('pod → host:PORT follows portmap\'s DNAT to the publishing pod', async () => {
    const t = parseTrace(await podctl(['trace', pods.b, `host:${HOST_PORT}`, '-o', 'json']));
    assert.equal(t.verdict.outcome, 'arrives');
    assert.equal(t.verdict.pod, `default/${pods.a}`);
    assert.equal(t.verdict.port, 80);
    assert.ok(t.hops.some((h) => h.kind === 'netfilter' && String(h.facts.nat).startsWith('dnat to')), 'a DNAT hop');
  });

  test('two pods on a bridge network without the firewall plugin: FORWARD policy DROP set by Docker', async () => {
    const r = await podctl(['trace', pods.c, pods.d, '-o', 'json']);
    assert.equal(r.exitCode, 1);
    const t = parseTrace(r);
    assert.equal(t.verdict.outcome, 'dropped');
    assert.equal(t.verdict.at, 'netfilter forward');
    assert.match(t.verdict.reason, /^FORWARD policy DROP \(set by Docker\)/);
    assert.match(t.verdict.fix ?? '', new RegExp(`firewall plugin in network ${nets.nofw.network}.*DOCKER-USER -i ${nets.nofw.bridge} -o ${nets.nofw.bridge} -j ACCEPT`));
    assert.equal(t.hops.at(-1)?.blocks, true);
  });

  test('a route whose gateway is not the bridge: dropped at the bridge, ARP unanswered', async () => {
    const gw = nets.badgw.subnet.replace('.0/24', '.254');
    const t = parseTrace(await podctl(['trace', pods.e, '198.51.100.7', '-o', 'json']));
    assert.equal(t.verdict.outcome, 'dropped');
    assert.equal(t.verdict.at, `bridge ${nets.badgw.bridge}`);
    assert.match(t.verdict.reason, new RegExp(`via ${gw.replace(/\./g, '\\.')}, which no interface on bridge ${nets.badgw.bridge} has`));
    assert.match(t.verdict.fix ?? '', /gateway/);
  });

  test('--live sends one probe, shows the rules it hit and conntrack, and leaves no trace table', async () => {
    const r = await podctl(['trace', pods.a, pods.b, '--live']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /live probe: tcp .* connected \(HTTP\/1\.[01] 200 OK\)/);
    assert.match(r.stdout, /ip filter CNI-FORWARD: rule ip saddr [\d.]+ accept \(verdict accept\)/);
    assert.match(r.stdout, /conntrack: tcp .*src=[\d.]+ dst=[\d.]+ sport=\d+ dport=80/);
    assert.deepEqual(await traceTables(), []);
  });

  test('--live on the FORWARD DROP path: the SYN times out and the trace shows the policy drop', async () => {
    const r = await podctl(['trace', pods.c, pods.d, '--live']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /live probe: tcp .*: timeout/);
    assert.match(r.stdout, /ip filter FORWARD: policy drop/);
    assert.match(r.stdout, /conntrack: no entry/);
  });

  test('--live killed: SIGTERM removes its trace table at once, after SIGKILL gc does', async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      // The probe on the dropped path waits 2 s for an answer: time enough to kill it mid-way.
      const child = execa(PODCTL, ['trace', pods.c, pods.d, '--live'], { reject: false });
      const table = `podctl-trace-${child.pid}`;
      await eventually(async () => assert.ok((await traceTables()).some((l) => l.includes(table)), `${table} exists`), 10_000);
      child.kill(signal);
      await child;
      if (signal === 'SIGTERM') assert.deepEqual(await traceTables(), [], 'the signal handler deleted it');
      else {
        assert.equal((await traceTables()).length, 1, 'a SIGKILLed podctl cannot clean up');
        const dry = await podctlOk(['gc', '--dry-run']);
        assert.match(dry.stdout, new RegExp(`nft-table +ip ${table} +would remove +its podctl trace --live is gone`));
        assert.equal((await traceTables()).length, 1, 'a dry run changes nothing');
        await podctlOk(['gc']);
        assert.deepEqual(await traceTables(), []);
      }
    }
  });

  test('a trace table of a killed podctl is removed by gc', async () => {
    const gone = execa('true');
    await gone;
    const table = `podctl-trace-${gone.pid}`;
    await execa('nft', ['add', 'table', 'ip', table]);
    const dry = await podctlOk(['gc', '--dry-run']);
    assert.match(dry.stdout, new RegExp(table));
    assert.deepEqual((await traceTables()).length, 1, 'dry run changes nothing');
    await podctlOk(['gc']);
    assert.deepEqual(await traceTables(), []);
  });

  test('bad input: one line each, exit 2 for usage, 1 for a pod that is not there; nothing changed', async () => {
    for (const [args, code, pattern] of [
      [['trace', 'host', pods.a, '-p', '0'], 2, /--port/],
      [['trace', 'host', 'fe80::1'], 2, /IPv6/],
      [['trace', pods.a, 'host:8080', '-p', '80'], 2, /host:PORT and -p/],
      [['trace', 'host', 'no-such-pod'], 1, /pod default\/no-such-pod not found; list pods with podctl ps -A/],
      [['trace', 'host', pods.a, '-o', 'yaml'], 2, /-o yaml/],
      [['net', 'graph', '-n', 'x', '-A'], 2, /-n and -A/],
    ] as Array<[string[], number, RegExp]>) {
      const r = await podctl(args);
      assert.equal(r.exitCode, code, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, pattern);
    }
    assert.deepEqual(await traceTables(), []);
  });

  test('net graph: the SVG names every pod and bridge', async () => {
    const r = await podctlOk(['net', 'graph', '-A', '-o', 'svg']);
    assert.match(r.stdout, /<svg /);
    // Graphviz writes '-' as &#45; in SVG text.
    const svg = r.stdout.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
    for (const name of [...Object.values(pods), nets.ok.bridge, nets.nofw.bridge, nets.badgw.bridge]) assert.ok(svg.includes(name), `the SVG names ${name}`);
    const text = await podctlOk(['net', 'graph', '-A']);
    assert.match(text.stdout, new RegExp(`${nets.ok.bridge}[^\\n]*\\n(.*\\n)*.*${pods.a}`));
  });
});
