import { DockerCallCounter } from './docker-proxy.js';
import { timedOk } from './proc.js';
import { NAMESPACE, PODCTL, podctlArgs } from './setting.js';
import { max, median, pairedRatio } from './stats.js';

export interface StartupResult {
  pairs: number;
  nodeMs: number;
  versionMs: number;
  /** Median of version/node over pairs run back to back. */
  ratio: number;
  maxRssKb: number;
}

/** `podctl --version` beside a bare `node -e ''`, alternating, cold processes each time. */
export async function measureStartup(pairs: number): Promise<StartupResult> {
  const node: number[] = [];
  const version: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < pairs + 1; i++) {
    const n = await timedOk(process.execPath, ['-e', '']);
    const v = await timedOk(PODCTL, ['--version'], { memory: true });
    if (i === 0) continue; // warm-up: page cache
    node.push(n.ms);
    version.push(v.ms);
    rss.push(v.maxRssKb ?? 0);
  }
  return { pairs, nodeMs: median(node), versionMs: median(version), ratio: pairedRatio(version, node), maxRssKb: max(rss) };
}

export interface PsResult {
  pods: number;
  runs: number;
  ms: number;
  /** A bare node start measured alongside, to see whether the machine was busier. */
  nodeMs: number;
  apiCalls: number;
  apiRequests: string[];
  maxRssKb: number;
}

/** `podctl ps` of the bench namespace: timed cold runs, then one run through a counting proxy. */
export async function measurePs(pods: number, runs: number): Promise<PsResult> {
  const args = podctlArgs(['ps', '-n', NAMESPACE]);
  const ps: number[] = [];
  const node: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const n = await timedOk(process.execPath, ['-e', '']);
    const r = await timedOk(PODCTL, args, { memory: true });
    if (i === 0) continue;
    const listed = r.stdout.trim() === '' ? 0 : r.stdout.trim().split('\n').length - 1;
    if (listed !== pods) throw new Error(`podctl ps listed ${listed} pods, expected ${pods}`);
    node.push(n.ms);
    ps.push(r.ms);
    rss.push(r.maxRssKb ?? 0);
  }
  const counter = await DockerCallCounter.start();
  try {
    await timedOk(PODCTL, args, { env: counter.env });
    const apiRequests = counter.take();
    return { pods, runs, ms: median(ps), nodeMs: median(node), apiCalls: apiRequests.length, apiRequests, maxRssKb: max(rss) };
  } finally {
    await counter.stop();
  }
}
