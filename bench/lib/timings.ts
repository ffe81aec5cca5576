import { ipFromTable } from './contenders.js';
import { waitHttp200 } from './http.js';
import { timedOk } from './proc.js';
import { APP_IMAGE, NAMESPACE, PODCTL, podctlArgs } from './setting.js';

export interface LifeTimings {
  run: string;
  rm: string;
}

/** One more podctl pod life with `--timings`: where each of its two processes spends its time. */
export async function lifeTimings(pod: string): Promise<LifeTimings> {
  const run = await timedOk(PODCTL, ['--timings', ...podctlArgs(['run', '--image', APP_IMAGE, '--name', pod, '-n', NAMESPACE])]);
  await waitHttp200(ipFromTable(run.stdout));
  const rm = await timedOk(PODCTL, ['--timings', ...podctlArgs(['rm', '-f', pod, '-n', NAMESPACE])]);
  return { run: run.stderr.trim(), rm: rm.stderr.trim() };
}
