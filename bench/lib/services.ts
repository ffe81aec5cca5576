import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PodManager } from '../../src/pod/manager.js';
import { applyNft, runForServices } from '../../src/service/host.js';
import { DELETE_SCRIPT, renderRules } from '../../src/service/rules.js';
import type { ServiceEndpoints } from '../../src/service/types.js';
import { timedOk } from './proc.js';
import { mb, ms, target, type Row, type Target } from './report.js';
import { CONF_DIR, NAMESPACE, PODCTL, podctlArgs } from './setting.js';
import { median, round } from './stats.js';

/**
 * The Service rows of `make bench`: one nft transaction for 100 services x 10 endpoints;
 * `podctl apply` of one Service with 100 others present against none; and a request through a
 * ClusterIP against one to the pod IP (new connection each, p50 of 1000 interleaved).
 * Refuses to run when the host has Services of its own: the bench rewrites podctl's table.
 */
const RUNS = 9;
const EXISTING = 100;

function model(services: number, endpoints: number): ServiceEndpoints[] {
  return Array.from({ length: services }, (_, s) => {
    const port = { name: 'http', protocol: 'TCP' as const, port: 80, targetPort: 8080 };
    const eps = Array.from({ length: endpoints }, (_, e) => ({ ip: `10.238.${s}.${e + 10}`, port: 8080, pod: `p${s}-${e}` }));
    return {
      service: { version: 1 as const, name: `s${s}`, namespace: NAMESPACE, labels: {}, selector: { app: `s${s}` }, type: 'ClusterIP' as const, clusterIP: `10.96.${200 + Math.floor(s / 250)}.${(s % 250) + 1}`, uid: '', createdAt: '', ports: [port] },
      ports: [{ port, endpoints: eps }],
      podIPs: eps.map((e) => e.ip),
      unresolved: [],
    };
  });
}

async function rulesUpdate(): Promise<{ renderMs: number; transactionMs: number; bytes: number }> {
  const services = model(100, 10);
  const options = { serviceCidr: '10.96.0.0/16', podSubnets: ['10.99.0.0/16'], nodePortAddresses: ['127.0.0.1'], externalNodePorts: [], guardLocalnet: false };
  const render: number[] = [];
  const total: number[] = [];
  let bytes = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const script = renderRules(services, options);
      const t1 = performance.now();
      await applyNft(runForServices, script);
      total.push(performance.now() - t0);
      render.push(t1 - t0);
      bytes = script.length;
    }
  } finally {
    await applyNft(runForServices, DELETE_SCRIPT);
  }
  return { renderMs: median(render), transactionMs: median(total), bytes };
}

const serviceYaml = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: { name: ${name}, namespace: ${NAMESPACE} }\nspec:\n  selector: { app: ${name} }\n  ports: [{ port: 80 }]\n`;

async function applyOne(dir: string): Promise<{ ms: number; maxRssKb: number }> {
  const file = join(dir, 'one.yaml');
  writeFileSync(file, serviceYaml('bench-one'));
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await timedOk(PODCTL, podctlArgs(['apply', '-f', file]), { memory: true });
    times.push(r.ms);
    rss = Math.max(rss, r.maxRssKb ?? 0);
    await timedOk(PODCTL, podctlArgs(['delete', '-f', file]));
  }
  return { ms: median(times), maxRssKb: rss };
}

function get(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host, port, path: '/', agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${host}:${port} did not answer in 3 s`)));
    req.on('error', reject);
    req.end();
  });
}

async function latency(pods: PodManager): Promise<{ podMs: number; clusterIPMs: number }> {
  const name = 'bench-lat';
  await timedOk(PODCTL, podctlArgs(['run', '--image', 'nginx:latest', '--name', name, '-n', NAMESPACE, '--label', `app=${name}`, '--wait-http', ':80/']));
  try {
    const { service } = await pods.services.apply({ name, namespace: NAMESPACE, labels: {}, selector: { app: name }, type: 'ClusterIP', ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] });
    const podIP = service.ports[0]!.endpoints[0]!.ip;
    const direct: number[] = [];
    const viaService: number[] = [];
    for (let i = 0; i < 1000; i++) {
      direct.push(await get(podIP, 80));
      viaService.push(await get(service.service.clusterIP, 80));
    }
    return { podMs: median(direct), clusterIPMs: median(viaService) };
  } finally {
    await pods.services.remove({ name, namespace: NAMESPACE });
    await timedOk(PODCTL, podctlArgs(['rm', '-f', '-n', NAMESPACE, name]));
  }
}

export async function measureServices(scratchDir: string): Promise<{ rows: Row[]; targets: Target[]; results: Record<string, unknown> }> {
  const pods = await PodManager.open({ cniConfDir: CONF_DIR });
  if ((await pods.services.list()).length > 0) throw new Error('this host has Services (podctl get svc -A): the bench rewrites their table; delete them first');
  const rules = await rulesUpdate();
  const none = await applyOne(scratchDir);
  const names = Array.from({ length: EXISTING }, (_, i) => `bench-s${i}`);
  try {
    for (const n of names) await pods.services.apply({ name: n, namespace: NAMESPACE, labels: {}, selector: { app: n }, type: 'ClusterIP', ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] });
    const hundred = await applyOne(scratchDir);
    const lat = await latency(pods);
    const rows: Row[] = [
      { what: 'service rules: 100 services x 10 endpoints, render + one nft transaction', value: `${ms(rules.transactionMs)} (render ${rules.renderMs.toFixed(1)} ms, ${Math.round(rules.bytes / 1024)} KiB)` },
      { what: 'podctl apply of one Service, none present', value: ms(none.ms), memory: mb(none.maxRssKb) },
      { what: `podctl apply of one Service, ${EXISTING} present`, value: ms(hundred.ms), memory: mb(hundred.maxRssKb) },
      { what: 'request p50, pod IP / ClusterIP (new connection, 1000 each)', value: `${lat.podMs.toFixed(2)} ms / ${lat.clusterIPMs.toFixed(2)} ms` },
    ];
    const targets = [
      target('service rules 100x10: one transaction (ms)', rules.transactionMs, '<=', 100),
      target(`podctl apply Service: ${EXISTING} present / none`, hundred.ms / none.ms, '<=', 1.5),
      target('request via ClusterIP / via pod IP (p50)', lat.clusterIPMs / lat.podMs, '<=', 1.2),
    ];
    return { rows, targets, results: { rules, apply: { none, hundred }, latency: lat, ratios: { apply: round(hundred.ms / none.ms), latency: round(lat.clusterIPMs / lat.podMs) } } };
  } finally {
    for (const n of names) await pods.services.remove({ name: n, namespace: NAMESPACE });
  }
}
