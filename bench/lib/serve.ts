import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { timedOk } from './proc.js';
import { ms, target, type Row, type Target } from './report.js';
import { NAMESPACE, PODCTL, podctlArgs } from './setting.js';
import { median, pairedRatio, round } from './stats.js';

/**
 * `podctl serve`'s figures: how fast it replaces a replica removed behind podctl's back, how
 * soon it is ready with 100 pods present and what it costs idle beside them, and what it adds
 * to an `apply` of a Deployment. Every pod is a busybox one without probes, in the bench namespace.
 */
export interface ServeOptions {
  /** Rounds of the replica replacement (the median is the figure). */
  replaceRounds: number;
  /** Pods present while serve starts and idles. */
  idlePods: number;
  idleSeconds: number;
  /** Rounds of apply with and without serve, alternating. */
  applyRounds: number;
  applyReplicas: number;
}

interface Running {
  child: ChildProcess;
  readyMs: number;
  stop: () => Promise<void>;
}

const sleep = (msecs: number) => new Promise<void>((r) => setTimeout(r, msecs));

/**
 * Starts serve with the bench's network, no descriptor but stdio inherited (the host lock's fd
 * stays with the bench), and times it from spawn to its "serve: ready" line.
 */
export async function startServe(extraArgs: string[] = []): Promise<Running> {
  const closeFds = 'for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@"';
  const start = process.hrtime.bigint();
  const child = spawn('/bin/bash', ['-c', closeFds, 'serve', PODCTL, ...podctlArgs(['serve', ...extraArgs])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const readyMs = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      text += String(d);
      if (text.includes('serve: ready')) resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code} before it was ready: ${text}`)));
    setTimeout(() => reject(new Error(`serve not ready in 30 s: ${text}`)), 30_000).unref();
  });
  return {
    child,
    readyMs,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A Deployment of busybox pods that do nothing (no probe: Ready once running). */
export function deployment(dir: string, name: string, replicas: number): string {
  const file = join(dir, `${name}.yaml`);
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
      containers: [{ name: c, image: busybox, command: [sleep, '86400'] }]
`,
  );
  return file;
}

interface PsPod {
  name: string;
  state: string;
  awaitingReady?: boolean;
  pause: { id: string };
}

async function podsOf(app: string): Promise<PsPod[]> {
  return JSON.parse((await timedOk(PODCTL, podctlArgs(['ps', '-a', '-o', 'json', '-n', NAMESPACE, '--filter', `label=app=${app}`]))).stdout) as PsPod[];
}

const removeDeployment = (name: string) => timedOk(PODCTL, podctlArgs(['delete', 'deployment', name, '-n', NAMESPACE]), { timeoutMs: 600_000 });

/** `docker rm -f` of a replica's pause, then until `replicas` Ready pods without it are back (ms each round). */
async function replaceTimes(dir: string, rounds: number): Promise<number[]> {
  const name = 'pct-bench-heal';
  const replicas = 3;
  await timedOk(PODCTL, podctlArgs(['apply', '-f', deployment(dir, name, replicas), '--wait']));
  const serve = await startServe();
  const times: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const victim = (await podsOf(name))[0]!;
      const start = process.hrtime.bigint();
      await execa('docker', ['rm', '-f', victim.pause.id]);
      for (;;) {
        const pods = await podsOf(name);
        if (pods.length === replicas && pods.every((p) => p.state === 'running' && !p.awaitingReady && p.name !== victim.name)) break;
        if (Number(process.hrtime.bigint() - start) / 1e6 > 30_000) throw new Error(`a removed replica was not replaced within 30 s: ${pods.map((p) => `${p.name} ${p.state}`).join(', ')}`);
        await sleep(20);
      }
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  } finally {
    await serve.stop();
    await removeDeployment(name);
  }
  return times;
}

/** utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
/** Linux's USER_HZ: 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** With `pods` pods present: serve's time to ready (median of 3 starts), then its RSS and CPU idle over `seconds`. */
async function idleFigures(dir: string, pods: number, seconds: number): Promise<{ createMs: number; readyMs: number[]; maxRssKb: number; cpuPercent: number }> {
  const name = 'pct-bench-idle';
  const created = await timedOk(PODCTL, podctlArgs(['apply', '-f', deployment(dir, name, pods), '--wait']), { timeoutMs: 1_200_000 });
  try {
    const readyMs: number[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await startServe();
      readyMs.push(s.readyMs);
      await s.stop();
    }
    const serve = await startServe();
    readyMs.push(serve.readyMs);
    try {
      // The first resync and its start-up work settle before the idle window opens.
      await sleep(5000);
      const pid = serve.child.pid!;
      const before = cpuTicks(pid);
      let maxRssKb = rssKb(pid);
      for (let t = 0; t < seconds; t++) {
        await sleep(1000);
        maxRssKb = Math.max(maxRssKb, rssKb(pid));
      }
      const cpuPercent = ((cpuTicks(pid) - before) / TICKS_PER_SECOND / seconds) * 100;
      return { createMs: created.ms, readyMs, maxRssKb, cpuPercent };
    } finally {
      await serve.stop();
    }
  } finally {
    await removeDeployment(name);
  }
}

/** `apply -f` of a Deployment until Ready, without and with serve running, alternating rounds. */
async function applyTimes(dir: string, rounds: number, replicas: number): Promise<{ without: number[]; with: number[] }> {
  const name = 'pct-bench-apply';
  const file = deployment(dir, name, replicas);
  const out = { without: [] as number[], with: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    for (const withServe of i % 2 === 0 ? [false, true] : [true, false]) {
      const serve = withServe ? await startServe() : undefined;
      try {
        out[withServe ? 'with' : 'without'].push((await timedOk(PODCTL, podctlArgs(['apply', '-f', file, '--wait']))).ms);
        await removeDeployment(name);
      } finally {
        await serve?.stop();
      }
    }
  }
  return out;
}

export async function measureServe(dir: string, o: ServeOptions, say: (text: string) => void): Promise<{ rows: Row[]; targets: Target[]; results: Record<string, unknown> }> {
  say(`serve: a replica's pause removed behind podctl's back, ${o.replaceRounds} rounds`);
  const replace = await replaceTimes(dir, o.replaceRounds);
  say(`serve: ${o.applyRounds} rounds of apply --wait of ${o.applyReplicas} replicas, with and without serve`);
  const apply = await applyTimes(dir, o.applyRounds, o.applyReplicas);
  say(`serve: ready with ${o.idlePods} pods present, then idle ${o.idleSeconds} s`);
  const idle = await idleFigures(dir, o.idlePods, o.idleSeconds);
  const ratio = pairedRatio(apply.with, apply.without);
  const rows: Row[] = [
    { what: 'serve: removed replica replaced and Ready (median)', value: ms(median(replace)) },
    { what: `serve: ready after start, ${o.idlePods} pods present (median of ${idle.readyMs.length})`, value: ms(median(idle.readyMs)) },
    { what: `serve: idle ${o.idleSeconds} s beside ${o.idlePods} pods, RSS / CPU of one core`, value: `${(idle.maxRssKb / 1024).toFixed(0)} MB / ${idle.cpuPercent.toFixed(2)} %` },
    { what: `apply --wait of ${o.applyReplicas} replicas, without / with serve (median)`, value: `${ms(median(apply.without))} / ${ms(median(apply.with))}` },
    { what: `(setting up: apply --wait of ${o.idlePods} pods)`, value: ms(idle.createMs) },
  ];
  const targets = [
    target('serve: replica replaced, median (ms)', median(replace), '<=', 1500),
    target(`serve: ready with ${o.idlePods} pods (ms)`, median(idle.readyMs), '<=', 1000),
    target(`serve: idle RSS with ${o.idlePods} pods (MB)`, idle.maxRssKb / 1024, '<=', 100),
    target(`serve: idle CPU with ${o.idlePods} pods (% of one core)`, idle.cpuPercent, '<=', 2),
    target('apply with serve / without (ratio)', ratio, '<=', 1.1),
  ];
  const results = {
    replaceMs: replace.map((x) => round(x, 0)),
    readyMs: idle.readyMs.map((x) => round(x, 0)),
    idle: { pods: o.idlePods, seconds: o.idleSeconds, maxRssKb: idle.maxRssKb, cpuPercent: round(idle.cpuPercent) },
    apply: { replicas: o.applyReplicas, withoutMs: apply.without.map((x) => round(x, 0)), withMs: apply.with.map((x) => round(x, 0)), ratio: round(ratio) },
    createIdlePodsMs: round(idle.createMs, 0),
  };
  return { rows, targets, results };
}
