import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { timedOk } from './proc.js';
import { mb, target, type Row, type Target } from './report.js';
import { NAMESPACE, PODCTL, REPO_ROOT } from './setting.js';
import { round } from './stats.js';

/**
 * The cluster DNS rows of `make bench`: query latency and throughput from inside a pod's
 * network namespace (a Node client run there with `ip netns exec`, as a pod's resolver would
 * send), and the server process's resident memory after the load. The first pod starts the
 * server; removing it stops the server again.
 */
const LATENCY_QUERIES = 2000;
const LOAD_SECONDS = 5;
const IN_FLIGHT = 32;

/** Sends A queries for a cluster name: one at a time (p50 latency), then IN_FLIGHT at once for LOAD_SECONDS. */
const CLIENT = (server: string) => `
const dgram = require('node:dgram');
const packet = require(${JSON.stringify(join(REPO_ROOT, 'node_modules', 'dns-packet'))});
const s = dgram.createSocket('udp4');
const pending = new Map();
let id = 0, errors = 0;
s.on('message', (m) => {
  const p = packet.decode(m);
  const done = pending.get(p.id);
  if (!done) return;
  pending.delete(p.id);
  if (p.rcode !== 'NOERROR' || !p.answers.length) errors++;
  done();
});
const ask = () => new Promise((resolve) => {
  const q = (id = (id + 1) % 65536);
  const timer = setTimeout(() => { pending.delete(q); errors++; resolve(); }, 2000);
  pending.set(q, () => { clearTimeout(timer); resolve(); });
  s.send(packet.encode({ id: q, type: 'query', flags: packet.RECURSION_DESIRED, questions: [{ name: 'kube-dns.kube-system.svc.cluster.local', type: 'A' }] }), 53, ${JSON.stringify(server)});
});
(async () => {
  const times = [];
  for (let i = 0; i < ${LATENCY_QUERIES}; i++) {
    const t = performance.now(); await ask(); times.push(performance.now() - t);
    if (errors >= 3) { console.error('the cluster DNS does not answer from this pod'); process.exit(1); }
  }
  times.sort((a, b) => a - b);
  const latencyErrors = errors; errors = 0;
  let answered = 0;
  const end = performance.now() + ${LOAD_SECONDS * 1000};
  const worker = async () => { while (performance.now() < end) { await ask(); answered++; } };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: ${IN_FLIGHT} }, worker));
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ p50: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)], latencyErrors, qps: answered / seconds, loadErrors: errors }));
  s.close();
})();
`;

export async function measureDns(): Promise<{ rows: Row[]; targets: Target[]; results: Record<string, unknown> }> {
  const name = 'bench-dns';
  // podctl's default network: the bench network has no route to the service range (no default route).
  await timedOk(PODCTL, ['run', '--image', 'busybox', '--name', name, '-n', NAMESPACE, '--stop-timeout', '1', '--', 'sleep', '3600']);
  try {
    const checkpoint = JSON.parse(readFileSync(`/var/lib/podctl/pods/${NAMESPACE}_${name}/checkpoint.json`, 'utf8')) as { netnsName: string };
    const resolv = readFileSync(`/var/lib/podctl/pods/${NAMESPACE}_${name}/resolv.conf`, 'utf8');
    const server = /^nameserver (\S+)/m.exec(resolv)?.[1];
    if (!server) throw new Error(`pod ${name} has no cluster nameserver: ${resolv}`);
    const r = await execa('ip', ['netns', 'exec', checkpoint.netnsName, process.execPath, '-e', CLIENT(server)]);
    const m = JSON.parse(String(r.stdout)) as { p50: number; p99: number; latencyErrors: number; qps: number; loadErrors: number };
    const pid = (JSON.parse(readFileSync('/run/podctl/dns/server.pid', 'utf8')) as { pid: number }).pid;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rssKb = kb('VmRSS');
    const peakKb = kb('VmHWM');
    const rows: Row[] = [
      { what: `cluster DNS query from a pod, p50 / p99 (${LATENCY_QUERIES} one at a time)`, value: `${m.p50.toFixed(3)} ms / ${m.p99.toFixed(3)} ms` },
      { what: `cluster DNS sustained, ${IN_FLIGHT} in flight for ${LOAD_SECONDS} s`, value: `${Math.round(m.qps)} queries/s, ${m.loadErrors + m.latencyErrors} errors` },
      { what: 'cluster DNS server process (standalone), RSS now / peak', value: `${mb(rssKb)} / ${mb(peakKb)}`, memory: mb(peakKb) },
    ];
    const targets = [
      target('cluster DNS query p50 from a pod (ms)', m.p50, '<=', 1),
      target('cluster DNS sustained queries/s', m.qps, '>=', 5000, `${m.loadErrors + m.latencyErrors} errors`),
      target('cluster DNS errors under load', m.loadErrors + m.latencyErrors, '<=', 0),
      target('cluster DNS server peak RSS (MB)', peakKb / 1024, '<=', 60),
    ];
    return { rows, targets, results: { p50Ms: round(m.p50, 3), p99Ms: round(m.p99, 3), qps: Math.round(m.qps), errors: m.loadErrors + m.latencyErrors, rssKb, peakKb } };
  } finally {
    await timedOk(PODCTL, ['rm', '-f', '-n', NAMESPACE, name]);
  }
}
