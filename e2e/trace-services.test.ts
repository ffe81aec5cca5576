import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeakChecker } from './harness/leaks.js';
import { inspectPod, podctl, podctlOk, sh, uniqueName, type CliResult } from './harness/run.js';
import type { TraceResult } from '../src/trace/types.js';

// `podctl trace` through podctl's Services on the shipped network: two nginx endpoints of one
// NodePort service, a service with one endpoint (its own pod reaches it through hairpin), a
// service that selects nothing (rejected), and a client pod. Each trace must name the real
// host veth, the bridge, the ClusterIP, the DNAT and every endpoint.

const app = uniqueName('pct-trs');
const pods = { web1: uniqueName('pct-trs-w'), web2: uniqueName('pct-trs-w'), client: uniqueName('pct-trs-c') };
const svc = { web: uniqueName('trs-web'), one: uniqueName('trs-one'), none: uniqueName('trs-none') };
const ips: Record<string, string> = {};

const traceTables = async (): Promise<string[]> => (await sh('nft', ['list', 'tables'])).split('\n').filter((l) => l.includes('podctl-trace-'));

function parseTrace(r: CliResult): TraceResult {
  assert.ok(r.stdout.trim().startsWith('{'), `trace -o json printed JSON; exit ${r.exitCode}, stderr: ${r.stderr}`);
  return JSON.parse(r.stdout) as TraceResult;
}

const manifest = (name: string, selector: string, type = 'ClusterIP') => `apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  type: ${type}
  selector: { ${selector} }
  ports: [{ name: http, port: 80, targetPort: 80 }]
`;

describe('podctl trace through Services', () => {
  let leaks: LeakChecker;
  let work: string;

  before(async () => {
    leaks = await LeakChecker.start();
    work = await mkdtemp(join(tmpdir(), 'pct-trs-'));
    await Promise.all([
      podctlOk(['run', '--image', 'nginx', '--name', pods.web1, '--label', `app=${app}`, '--label', `one=${app}`, '--wait-http', ':80/']),
      podctlOk(['run', '--image', 'nginx', '--name', pods.web2, '--label', `app=${app}`, '--wait-http', ':80/']),
      podctlOk(['run', '--image', 'busybox', '--name', pods.client, '--', 'sleep', '3600']),
    ]);
    for (const name of [pods.web1, pods.web2]) ips[name] = (await inspectPod(name)).ips[0]!.split('/')[0]!;
    const file = join(work, 'services.yaml');
    await writeFile(file, [manifest(svc.web, `app: ${app}`, 'NodePort'), manifest(svc.one, `one: ${app}`), manifest(svc.none, `app: nothing-${app}`)].join('---\n'));
    await podctlOk(['apply', '-f', file]);
  });

  after(async () => {
    await podctl(['delete', '-f', join(work, 'services.yaml'), '--ignore-not-found']);
    await podctl(['rm', '-f', ...Object.values(pods)]);
    await rm(work, { recursive: true, force: true });
    assert.deepEqual(await traceTables(), []);
    await leaks.assertClean();
  });

  test('pod → service: the client\'s veth, the bridge, the ClusterIP, every endpoint, the DNAT, an endpoint pod', async () => {
    const r = await podctl(['trace', pods.client, `svc/${svc.web}`, '-o', 'json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const t = parseTrace(r);
    const clusterIP = t.packet.daddr;
    assert.match(clusterIP, /^10\.96\./);
    const iface = t.hops.find((h) => h.kind === 'interface')!;
    assert.ok((await sh('ip', ['-o', 'link', 'show', 'master', 'podctl0'])).includes(`${iface.facts.hostIfname}@`), 'a real port of podctl0');
    const service = t.hops.find((h) => h.kind === 'service')!;
    assert.equal(service.facts.service, `default/${svc.web}`);
    assert.equal(service.facts.address, `${clusterIP}:80`);
    assert.deepEqual(String(service.facts.endpoints).split(',').sort(), [`${ips[pods.web1]}:80`, `${ips[pods.web2]}:80`].sort());
    assert.ok([`${ips[pods.web1]}:80`, `${ips[pods.web2]}:80`].includes(String(service.facts.dnat)));
    assert.equal(t.verdict.outcome, 'arrives');
    assert.equal(t.verdict.listening, true);
    const reached = [t.verdict.pod, ...(t.alternatives ?? []).map((a) => a.verdict.pod)].sort();
    assert.deepEqual(reached, [`default/${pods.web1}`, `default/${pods.web2}`].sort(), 'the trace follows both endpoints');
  });

  test('pod → its own service: hairpin back through its own veth, masqueraded', async () => {
    const t = parseTrace(await podctl(['trace', pods.web1, `svc/${svc.one}`, '-o', 'json']));
    assert.equal(t.verdict.outcome, 'arrives');
    assert.equal(t.verdict.pod, `default/${pods.web1}`);
    assert.ok(t.hops.some((h) => h.kind === 'bridge' && h.title.includes('hairpin')), 'the bridge sends it back out of the same port');
    assert.ok(t.hops.some((h) => h.facts.hook === 'postrouting' && String(h.facts.nat).includes('masquerade')));
  });

  test('host → host:NODEPORT reaches an endpoint', async () => {
    const got = JSON.parse((await podctlOk(['get', 'svc', svc.web, '-o', 'json'])).stdout) as { spec: { ports: Array<{ nodePort: number }> } };
    const nodePort = got.spec.ports[0]!.nodePort;
    const t = parseTrace(await podctl(['trace', 'host', `host:${nodePort}`, '-o', 'json']));
    assert.equal(t.verdict.outcome, 'arrives', t.verdict.reason);
    assert.ok([`default/${pods.web1}`, `default/${pods.web2}`].includes(t.verdict.pod!));
    assert.equal(t.hops.find((h) => h.kind === 'service')?.facts.service, `default/${svc.web}`);
  });

  test('a service without endpoints: rejected, and the fix says why', async () => {
    const r = await podctl(['trace', pods.client, `svc/${svc.none}`, '-o', 'json']);
    assert.equal(r.exitCode, 1);
    const t = parseTrace(r);
    assert.equal(t.verdict.outcome, 'rejected');
    assert.match(t.verdict.reason, new RegExp(`^service default/${svc.none} has no endpoints`));
  });

  test('--live to a service: conntrack shows the DNAT to the endpoint', async () => {
    const r = await podctl(['trace', pods.client, `svc/${svc.web}`, '--live']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /live probe: tcp .* connected \(HTTP\/1\.1 200 OK\)/);
    const line = r.stdout.split('\n').find((l) => l.includes('conntrack: tcp')) ?? '';
    assert.match(line, new RegExp(`dst=10\\.96\\.[\\d.]+ sport=\\d+ dport=80 src=(${ips[pods.web1]}|${ips[pods.web2]}) `), line);
    assert.deepEqual(await traceTables(), []);
  });

  test('net graph: the service, its ClusterIP and its endpoints', async () => {
    const text = (await podctlOk(['net', 'graph'])).stdout;
    assert.match(text, new RegExp(`service default/${svc.web} 10\\.96\\.[\\d.]+\\n.*:80/tcp \\(NodePort \\d+\\) → .*${pods.web1}`));
    const svg = (await podctlOk(['net', 'graph', '-o', 'svg'])).stdout.replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)));
    for (const name of [svc.web, svc.one, svc.none, ...Object.values(pods), 'podctl0']) assert.ok(svg.includes(name), `the SVG names ${name}`);
  });
});
