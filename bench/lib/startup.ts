import { DockerCallCounter } from './docker-proxy.js';
import { timedOk, type RunOptions } from './proc.js';
import { NAMESPACE, PODCTL, podctlArgs } from './setting.js';
import { max, median, pairedRatio } from './stats.js';

/** The variable that makes every Node start load the CA store (~30-50 ms here). */
export const CA_VAR = 'NODE_EXTRA_CA_CERTS';

export interface StartupResult {
  rounds: number;
  /** Whether this environment sets NODE_EXTRA_CA_CERTS (else both node rows are the same). */
  caVarSet: boolean;
  nodeMs: number;
  nodeNoCaMs: number;
  versionMs: number;
  ps0Ms: number;
  /** Medians of per-round ratios against a bare node in the same environment, and without the CA variable. */
  versionRatio: number;
  ps0Ratio: number;
  versionRatioNoCa: number;
  ps0RatioNoCa: number;
  maxRssKb: number;
  ps0MaxRssKb: number;
}

/**
 * A podctl process's fixed cost: `podctl --version` and `podctl ps` (0 pods) beside a bare
 * `node -e ''`, with and without NODE_EXTRA_CA_CERTS, in rounds that rotate the order; cold
 * processes each time; the first round warms the page cache and is dropped.
 */
export async function measureStartup(rounds: number): Promise<StartupResult> {
  const kinds: Array<[string, string, string[], RunOptions]> = [
    ['node', process.execPath, ['-e', ''], {}],
    ['nodeNoCa', process.execPath, ['-e', ''], { unsetEnv: [CA_VAR] }],
    ['version', PODCTL, ['--version'], { memory: true }],
    ['ps0', PODCTL, podctlArgs(['ps', '-n', NAMESPACE]), { memory: true }],
  ];
  const ms = new Map<string, number[]>(kinds.map(([k]) => [k, []]));
  const rss = new Map<string, number[]>(kinds.map(([k]) => [k, []]));
  for (let round = 0; round <= rounds; round++) {
    for (let i = 0; i < kinds.length; i++) {
      const [kind, file, args, options] = kinds[(round + i) % kinds.length]!;
      const run = await timedOk(file, args, options);
      if (kind === 'ps0' && run.stdout.trim().split('\n').length > 1) throw new Error(`podctl ps found pods in ${NAMESPACE}: ${run.stdout}`);
      if (round === 0) continue;
      ms.get(kind)!.push(run.ms);
      rss.get(kind)!.push(run.maxRssKb ?? 0);
    }
  }
  const m = (k: string) => ms.get(k)!;
  return {
    rounds,
    caVarSet: process.env[CA_VAR] !== undefined,
    nodeMs: median(m('node')),
    nodeNoCaMs: median(m('nodeNoCa')),
    versionMs: median(m('version')),
    ps0Ms: median(m('ps0')),
    versionRatio: pairedRatio(m('version'), m('node')),
    ps0Ratio: pairedRatio(m('ps0'), m('node')),
    versionRatioNoCa: pairedRatio(m('version'), m('nodeNoCa')),
    ps0RatioNoCa: pairedRatio(m('ps0'), m('nodeNoCa')),
    maxRssKb: max(rss.get('version')!),
    ps0MaxRssKb: max(rss.get('ps0')!),
  };
}

export interface PsResult {
  pods: number;
  runs: number;
  ms: number;
  /** A bare node start measured alongside, to see whether the machine was busier. */
  nodeMs: number;
  /** Median of ps/node over the pairs: compares two ps measurements taken at different loads. */
  perNode: number;
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
    return { pods, runs, ms: median(ps), nodeMs: median(node), perNode: pairedRatio(ps, node), apiCalls: apiRequests.length, apiRequests, maxRssKb: max(rss) };
  } finally {
    await counter.stop();
  }
}
