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

/** One `podctl run` process per pod, all started at once. */
export async function runConcurrent(names: string[]): Promise<Batch> {
  const { ms, value } = await stopwatch(() => Promise.all(names.map((pod) => timedOk(PODCTL, runArgs(pod), { memory: true }))));
  return batch(ms, value, true);
}

/** One `podctl rm -f` process per pod, all at once. */
export async function removeConcurrent(names: string[]): Promise<Batch> {
  const { ms, value } = await stopwatch(() => Promise.all(names.map((pod) => timedOk(PODCTL, podctlArgs(['rm', '-f', pod, '-n', NAMESPACE]), { memory: true }))));
  return batch(ms, value, false);
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
