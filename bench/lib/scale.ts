import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipFromTable } from './contenders.js';
import { waitHttp200 } from './http.js';
import { stopwatch, timedOk } from './proc.js';
import { APP_IMAGE, NAMESPACE, PODCTL, podctlArgs } from './setting.js';
import { max } from './stats.js';

export interface Batch {
  pods: number;
  ms: number;
  podsPerSec: number;
  maxRssKb: number;
  ips: string[];
}

const runArgs = (pod: string) => podctlArgs(['run', '--image', APP_IMAGE, '--name', pod, '-n', NAMESPACE]);

function batch(ms: number, runs: Array<{ maxRssKb?: number; stdout: string }>, withIps: boolean): Batch {
  return {
    pods: runs.length,
    ms,
    podsPerSec: runs.length / (ms / 1000),
    maxRssKb: max(runs.map((r) => r.maxRssKb ?? 0)),
    ips: withIps ? runs.map((r) => ipFromTable(r.stdout)) : [],
  };
}

/** `podctl run` one after another. */
export async function runSequential(names: string[]): Promise<Batch> {
  const { ms, value } = await stopwatch(async () => {
    const runs = [];
    for (const pod of names) runs.push(await timedOk(PODCTL, runArgs(pod), { memory: true }));
    return runs;
  });
  return batch(ms, value, true);
}

/** The same pods as one multi-document Pod manifest, for `podctl apply -f`. */
function manifestOf(names: string[]): string {
  return names
    .map((pod) => `apiVersion: v1\nkind: Pod\nmetadata: { name: ${pod}, namespace: ${NAMESPACE} }\nspec:\n  restartPolicy: Never\n  containers:\n    - { name: nginx, image: "${APP_IMAGE}" }\n`)
    .join('---\n');
}

/**
 * All pods from one command that makes many: `podctl apply -f` of a manifest with one Pod
 * per name (podctl works on several pods at once). The IPs come from one `podctl ps` after.
 */
export async function runConcurrent(names: string[]): Promise<Batch> {
  const dir = mkdtempSync(join(tmpdir(), 'pct-bench-apply-'));
  try {
    const file = join(dir, 'pods.yaml');
    writeFileSync(file, manifestOf(names));
    const { ms, value } = await stopwatch(() => timedOk(PODCTL, podctlArgs(['apply', '-f', file]), { memory: true }));
    const listed = JSON.parse((await timedOk(PODCTL, podctlArgs(['ps', '-n', NAMESPACE, '-o', 'json']))).stdout) as Array<{ name: string; ips: string[] }>;
    const ips = names.map((pod) => listed.find((p) => p.name === pod)?.ips[0] ?? '');
    return { pods: names.length, ms, podsPerSec: names.length / (ms / 1000), maxRssKb: value.maxRssKb ?? 0, ips };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One `podctl rm -f` naming every pod (it removes several at once). */
export async function removeConcurrent(names: string[]): Promise<Batch> {
  const { ms, value } = await stopwatch(() => timedOk(PODCTL, podctlArgs(['rm', '-f', '-n', NAMESPACE, ...names]), { memory: true }));
  return { pods: names.length, ms, podsPerSec: names.length / (ms / 1000), maxRssKb: value.maxRssKb ?? 0, ips: [] };
}

export interface Reachability {
  reachable: number;
  distinctIps: number;
}

/** Every pod answers HTTP 200 on its IP, and no two pods share an IP. */
export async function checkReachable(ips: string[]): Promise<Reachability> {
  const answers = await Promise.all(ips.map((ip) => waitHttp200(ip, 80, 30_000).then(() => true, () => false)));
  return { reachable: answers.filter(Boolean).length, distinctIps: new Set(ips).size };
}

/**
 * A Deployment of `replicas` pods from one `podctl apply -f`, until every pod passed its
 * readiness probe (apply returns then); then one `podctl delete deployment`.
 */
export async function runDeployment(name: string, replicas: number): Promise<Batch & { deleteMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pct-bench-deploy-'));
  try {
    const file = join(dir, 'deploy.yaml');
    writeFileSync(
      file,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${NAMESPACE} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - { name: nginx, image: "${APP_IMAGE}", readinessProbe: { httpGet: { path: /, port: 80 }, periodSeconds: 1 } }
`,
    );
    const { ms, value } = await stopwatch(() => timedOk(PODCTL, podctlArgs(['apply', '-f', file]), { memory: true }));
    const removal = await stopwatch(() => timedOk(PODCTL, podctlArgs(['delete', 'deployment', name, '-n', NAMESPACE])));
    return { pods: replicas, ms, podsPerSec: replicas / (ms / 1000), maxRssKb: value.maxRssKb ?? 0, ips: [], deleteMs: removal.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
