import { waitHttp200 } from './http.js';
import { timedOk, type Timed } from './proc.js';
import { APP_IMAGE, BY_HAND, CONF_FILE, NAMESPACE, NETWORK, PAUSE_IMAGE, PODCTL, podctlArgs } from './setting.js';

/** One pod's whole life: up, HTTP 200 from its IP, removed. Each step is a measured process. */
export interface PodLife {
  ms: number;
  upMs: number;
  httpMs: number;
  downMs: number;
  /** Peak memory of the biggest process of this life (podctl's own, for podctl). */
  maxRssKb: number;
}

export interface Contender {
  name: string;
  /** Starts the pod; returns its IP and the processes it ran. */
  up(pod: string): Promise<{ ip: string; runs: Timed[] }>;
  down(pod: string): Promise<Timed[]>;
  /** Waits for work the contender does in the background (untimed, before and after a life). */
  settle?(): Promise<void>;
}

export async function podLife(contender: Contender, pod: string): Promise<PodLife> {
  const start = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - start) / 1e6;
  const { ip, runs } = await contender.up(pod);
  const upMs = since();
  await waitHttp200(ip);
  const httpMs = since() - upMs;
  const downRuns = await contender.down(pod);
  const ms = since();
  const maxRssKb = Math.max(0, ...[...runs, ...downRuns].map((r) => r.maxRssKb ?? 0));
  return { ms, upMs, httpMs, downMs: ms - upMs - httpMs, maxRssKb };
}

/** The IP column of podctl's table output (header row + one row per pod). */
export function ipFromTable(table: string): string {
  const [header, row] = table.trim().split('\n');
  const columns = (line: string) => line.trim().split(/\s{2,}/);
  const ip = row ? columns(row)[columns(header ?? '').indexOf('IP')] : undefined;
  if (!ip || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`no pod IP in podctl's output:\n${table}`);
  return ip;
}

export const podctlContender: Contender = {
  name: 'podctl',
  async up(pod) {
    const run = await timedOk(PODCTL, podctlArgs(['run', '--image', APP_IMAGE, '--name', pod, '-n', NAMESPACE]), { memory: true });
    return { ip: ipFromTable(run.stdout), runs: [run] };
  },
  async down(pod) {
    return [await timedOk(PODCTL, podctlArgs(['rm', '-f', pod, '-n', NAMESPACE]), { memory: true })];
  },
};

export const byHandContender: Contender = {
  name: 'by-hand',
  async up(pod) {
    const run = await timedOk(BY_HAND, ['up', pod, CONF_FILE, APP_IMAGE], { memory: true });
    return { ip: run.stdout.trim(), runs: [run] };
  },
  async down(pod) {
    return [await timedOk(BY_HAND, ['down', pod, CONF_FILE], { memory: true })];
  },
};

/** podman with the same network (its CNI backend reading the conflist made from CONF_FILE). */
export function podmanContender(networkConfigDir: string): Contender {
  const podman = (args: string[]) => timedOk('podman', ['--network-config-dir', networkConfigDir, ...args], { memory: true });
  return {
    name: 'podman',
    async up(pod) {
      const create = await podman(['pod', 'create', '--name', pod, '--infra-image', `localhost/${PAUSE_IMAGE.replace(/^localhost\//, '')}`, '--network', NETWORK]);
      const run = await podman(['run', '-d', '--pod', pod, '--name', `${pod}-app`, `localhost/${APP_IMAGE}`]);
      const inspect = await podman(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', `${pod}-app`]);
      return { ip: inspect.stdout.trim(), runs: [create, run, inspect] };
    },
    async down(pod) {
      return [await podman(['pod', 'rm', '-f', pod])];
    },
  };
}
