/**
 * `make bench`: podctl against the by-hand sequence (bench/by-hand-pod.sh) and against podman, in one
 * run on one machine, with one network for all three (bench/cni-conf: bridge + host-local).
 * Prints a table and writes bench/results.json. Needs root, Docker with nginx:latest and
 * podctl's pause image (`make setup`), and installs podman when it is missing; no registry.
 *
 *   BENCH_ROUNDS=7 BENCH_PODS=50 node --import tsx bench/run.ts
 *   BENCH_ONLY=services node --import tsx bench/run.ts      (only the Service rows)
 *   BENCH_ONLY=dns node --import tsx bench/run.ts           (only the cluster DNS rows)
 *   BENCH_ONLY=kube-play node --import tsx bench/run.ts     (only podctl apply vs podman kube play)

 *   BENCH_ONLY=life node --import tsx bench/run.ts          (only one pod's life: its rows, targets and --timings)
 *   BENCH_ONLY=serve node --import tsx bench/run.ts         (only podctl serve: replacement, ready and idle with 100 pods, apply with it)
 *   BENCH_ONLY=watch node --import tsx bench/run.ts         (only the API's watch: how soon it sees a stored change)
 *   BENCH_ONLY=streams node --import tsx bench/run.ts       (only kubectl port-forward throughput and kubectl exec time through serve's API)
 *   BENCH_ONLY=kube-api node --import tsx bench/run.ts      (only kubectl get pods with 100 pods, and kubectl apply + rollout status, through serve's API)
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { cleanBench } from './lib/cleanup.js';
import { byHandContender, podctlContender, podmanContender } from './lib/contenders.js';
import { measureKubePlay } from './lib/kube-play.js';
import { lifeRatio, measureLives } from './lib/life.js';
import { removeScratch, timedOk } from './lib/proc.js';
import { mb, ms, renderReport, target, type Row } from './lib/report.js';
import { checkReachable, removeConcurrent, runConcurrent, runDeployment, runSequential } from './lib/scale.js';
import { BY_HAND_PREFIX, CONF_FILE, PODMAN_PREFIX, PODMAN_SETUP, REPO_ROOT } from './lib/setting.js';
import { libraryContender } from './lib/library.js';
import { measurePs, measureStartup } from './lib/startup.js';
import { round } from './lib/stats.js';
import { measureServices } from './lib/services.js';
import { measureDns } from './lib/dns.js';
import { measureServe, type ServeOptions } from './lib/serve.js';
import { measureWatch } from './lib/watch.js';
import { lifeTimings } from './lib/timings.js';
import { measureStreams, type StreamsOptions } from './lib/streams.js';
import { measureKubeApi, type KubeApiOptions } from './lib/kube-api.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PODS = Number(process.env.BENCH_PODS ?? 50);
const PS_PODS = 100;
const STARTUP_ROUNDS = 15;
const DEPLOY_REPLICAS = 10;
// Each round runs 10 pods per engine: 3 give a median without doubling the bench.
const KUBE_PLAY_ROUNDS = 3;
const PS_RUNS = 9;
const SERVE: ServeOptions = { replaceRounds: 10, idlePods: 100, idleSeconds: 60, applyRounds: 3, applyReplicas: DEPLOY_REPLICAS };
const STREAMS: StreamsOptions = { transferRounds: 3, execRounds: 9 };
const KUBE_API: KubeApiOptions = { listPods: PS_PODS, listRounds: 9, applyReplicas: DEPLOY_REPLICAS, applyRounds: 3 };
const say = (text: string) => process.stderr.write(`bench: ${text}\n`);
const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

async function version(file: string, args: string[]): Promise<string> {
  return String((await execa(file, args, { reject: false })).stdout).trim();
}

/** The Service rows alone (`BENCH_ONLY=services`): a quick run while working on Services. */
async function servicesOnly(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'pct-bench-svc-'));
  try {
    say('services: rules update, apply with 100 services, ClusterIP latency');
    const services = await measureServices(scratch);
    process.stdout.write(renderReport(services.rows, services.targets));
    writeFileSync(join(REPO_ROOT, 'bench', 'results-services.json'), JSON.stringify({ command: 'BENCH_ONLY=services make bench', date: new Date().toISOString(), ...services.results, targets: services.targets }, null, 2) + '\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    removeScratch();
  }
}

/** The cluster DNS rows alone (`BENCH_ONLY=dns`). */
async function dnsOnly(): Promise<void> {
  try {
    say('cluster DNS: query latency and throughput from a pod, server memory');
    const dns = await measureDns();
    process.stdout.write(renderReport(dns.rows, dns.targets));
    writeFileSync(join(REPO_ROOT, 'bench', 'results-dns.json'), JSON.stringify({ command: 'BENCH_ONLY=dns make bench', date: new Date().toISOString(), ...dns.results, targets: dns.targets }, null, 2) + '\n');
  } finally {
    removeScratch();
  }
}

/** podctl serve's rows alone (`BENCH_ONLY=serve`). */
async function serveOnly(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'pct-bench-serve-'));
  try {
    await cleanBench();
    const figures = await measureServe(scratch, SERVE, say);
    process.stdout.write(renderReport(figures.rows, figures.targets));
    writeFileSync(join(REPO_ROOT, 'bench', 'results-serve.json'), JSON.stringify({ command: 'BENCH_ONLY=serve make bench', date: new Date().toISOString(), ...figures.results, targets: figures.targets }, null, 2) + '\n');
  } finally {
    await cleanBench();
    rmSync(scratch, { recursive: true, force: true });
    removeScratch();
  }
}

const WATCH_ROUNDS = 40;

/** The API watch's row alone (`BENCH_ONLY=watch`). */
async function watchOnly(): Promise<void> {
  say(`the API's watch: ${WATCH_ROUNDS} ConfigMaps stored by another process, each timed until its event arrives`);
  const figures = await measureWatch(WATCH_ROUNDS);
  process.stdout.write(renderReport(figures.rows, figures.targets));
  writeFileSync(join(REPO_ROOT, 'bench', 'results-watch.json'), JSON.stringify({ command: 'BENCH_ONLY=watch make bench', date: new Date().toISOString(), ...figures.results, targets: figures.targets }, null, 2) + '\n');
}

/** The streaming rows alone (`BENCH_ONLY=streams`). */
async function streamsOnly(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'pct-bench-streams-'));
  try {
    await cleanBench();
    const figures = await measureStreams(scratch, STREAMS, say);
    process.stdout.write(renderReport(figures.rows, figures.targets));
    writeFileSync(join(REPO_ROOT, 'bench', 'results-streams.json'), JSON.stringify({ command: 'BENCH_ONLY=streams make bench', date: new Date().toISOString(), ...figures.results, targets: figures.targets }, null, 2) + '\n');
  } finally {
    await cleanBench();
    rmSync(scratch, { recursive: true, force: true });
    removeScratch();
  }
}

/** The Kubernetes API's rows alone (`BENCH_ONLY=kube-api`). */
async function kubeApiOnly(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'pct-bench-kube-api-'));
  try {
    await cleanBench();
    const figures = await measureKubeApi(scratch, KUBE_API, say);
    process.stdout.write(renderReport(figures.rows, figures.targets));
    writeFileSync(join(REPO_ROOT, 'bench', 'results-kube-api.json'), JSON.stringify({ command: 'BENCH_ONLY=kube-api make bench', date: new Date().toISOString(), ...figures.results, targets: figures.targets }, null, 2) + '\n');
  } finally {
    await cleanBench();
    rmSync(scratch, { recursive: true, force: true });
    removeScratch();
  }
}

/** The kube play row alone (`BENCH_ONLY=kube-play`): a quick run while working on workloads. */
async function kubePlayOnly(): Promise<void> {
  const podmanNet = mkdtempSync(join(tmpdir(), 'pct-bench-podman-net-'));
  try {
    await timedOk(PODMAN_SETUP, [CONF_FILE, podmanNet]);
    await cleanBench(podmanNet);
    say(`the same ${DEPLOY_REPLICAS}-replica Deployment file: podctl apply -f and podman kube play, ${KUBE_PLAY_ROUNDS} rounds each, alternating`);
    const play = await measureKubePlay(podmanNet, DEPLOY_REPLICAS, KUBE_PLAY_ROUNDS);
    process.stdout.write(
      renderReport(
        [{ what: `${DEPLOY_REPLICAS}-replica Deployment file: podctl apply (ready) / podman kube play (answering, ${play.podmanPods} pods)`, value: `${ms(play.podctlMs)} / ${ms(play.podmanMs)}` }],
        [target(`${DEPLOY_REPLICAS}-replica Deployment file: podman kube play / podctl apply`, play.podmanPods === DEPLOY_REPLICAS ? play.podmanMs / play.podctlMs : 0, '>=', 1)],
      ),
    );
  } finally {
    await cleanBench(podmanNet);
    rmSync(podmanNet, { recursive: true, force: true });
    removeScratch();
  }
}

/** One pod's life alone (`BENCH_ONLY=life`): the same interleaved rounds and --timings as the full run. */
async function lifeOnly(podmanNet: string): Promise<void> {
  say(`one pod's life: ${ROUNDS} rounds of podctl, by-hand script, podman, library (cold and prepared), interleaved`);
  const libraries = [await libraryContender('library', { prepareAhead: 1, backgroundRemoval: true }), await libraryContender('library, cold', {})];
  const prefix: Record<string, string> = { podctl: 'life', 'by-hand': BY_HAND_PREFIX + 'life', podman: PODMAN_PREFIX + 'life' };
  let lives;
  try {
    lives = await measureLives([podctlContender, byHandContender, podmanContender(podmanNet), ...libraries], ROUNDS, (c, r) => `${prefix[c] ?? 'lib'}-${r}`);
  } finally {
    for (const lib of libraries) await lib.close();
  }
  say('one more podctl pod life with --timings');
  const timings = await lifeTimings('life-timings');
  const rows: Row[] = (['podctl', 'by-hand', 'podman', 'library', 'library, cold'] as const).map((c) => ({
    what: `pod life: ${c} (up / http / down)`,
    value: `${ms(lives[c]!.medianMs)} (${Math.round(lives[c]!.upMs)} / ${Math.round(lives[c]!.httpMs)} / ${Math.round(lives[c]!.downMs)})`,
  }));
  const targets = [
    target('pod life: podctl / by-hand', lifeRatio(lives, 'podctl', 'by-hand'), '<=', 1.0),
    target('pod life: podctl / podman', lifeRatio(lives, 'podctl', 'podman'), '<=', 0.85),
    target('pod life: library (PodSession, prepareAhead) / by-hand', lifeRatio(lives, 'library', 'by-hand'), '<=', 0.6),
  ];
  process.stdout.write(`${renderReport(rows, targets)}\none podctl pod life, podctl --timings run, then rm -f:\n${timings.run}\n${timings.rm}\n`);
  writeFileSync(join(REPO_ROOT, 'bench', 'results-life.json'), JSON.stringify({ command: 'BENCH_ONLY=life make bench', date: new Date().toISOString(), rounds: ROUNDS, life: { ...lives, timings }, targets }, null, 2) + '\n');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench needs root (namespaces, bridges, containers)');
  if (process.env.BENCH_ONLY === 'services') return servicesOnly();
  if (process.env.BENCH_ONLY === 'dns') return dnsOnly();
  if (process.env.BENCH_ONLY === 'kube-play') return kubePlayOnly();
  if (process.env.BENCH_ONLY === 'serve') return serveOnly();
  if (process.env.BENCH_ONLY === 'watch') return watchOnly();
  if (process.env.BENCH_ONLY === 'streams') return streamsOnly();
  if (process.env.BENCH_ONLY === 'kube-api') return kubeApiOnly();
  const bundle = statSync(join(REPO_ROOT, 'dist', 'cli', 'podctl.cjs'), { throwIfNoEntry: false });
  const compiled = statSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), { throwIfNoEntry: false });
  if (!bundle || (compiled && compiled.mtimeMs > bundle.mtimeMs)) say('warning: the CLI bundle (dist/cli) is missing or older than dist/src: podctl is measured unbundled; run make build');
  const podmanNet = mkdtempSync(join(tmpdir(), 'pct-bench-podman-net-'));
  try {
    await timedOk(PODMAN_SETUP, [CONF_FILE, podmanNet]);
    const leftovers = await cleanBench(podmanNet);
    if (leftovers.length) say(`removed leftovers of an earlier run: ${leftovers.join(', ')}`);

    if (process.env.BENCH_ONLY === 'life') return await lifeOnly(podmanNet);
    say(`start-up: ${STARTUP_ROUNDS} rounds of node -e '' (with and without NODE_EXTRA_CA_CERTS), podctl --version, podctl ps (0 pods)`);
    const startup = await measureStartup(STARTUP_ROUNDS);
    say('podctl ps with 0 pods');
    const ps0 = await measurePs(0, PS_RUNS);

    say(`one pod's life: ${ROUNDS} rounds of podctl, by-hand script, podman, library (cold and prepared), interleaved`);
    const libraries = [
      await libraryContender('library', { prepareAhead: 1, backgroundRemoval: true }),
      await libraryContender('library, cold', {}),
    ];
    const contenders = [podctlContender, byHandContender, podmanContender(podmanNet), ...libraries];
    const prefix: Record<string, string> = { podctl: 'life', 'by-hand': BY_HAND_PREFIX + 'life', podman: PODMAN_PREFIX + 'life' };
    let lives;
    try {
      lives = await measureLives(contenders, ROUNDS, (c, r) => `${prefix[c] ?? 'lib'}-${r}`);
    } finally {
      for (const lib of libraries) await lib.close();
    }
    say('one more podctl pod life with --timings');
    const timings = await lifeTimings('life-timings');

    say(`${PODS} pods one after another (podctl run, one process each)`);
    const sequential = await runSequential(range(PODS, 'seq'));
    const sequentialReach = await checkReachable(sequential.ips);
    const sequentialRemoval = await removeConcurrent(range(PODS, 'seq'));
    say(`${PODS} pods at once (one podctl apply -f with ${PODS} Pods)`);
    const concurrent = await runConcurrent(range(PODS, 'par'));
    const concurrentReach = await checkReachable(concurrent.ips);
    const extra = PS_PODS > PODS ? await runConcurrent(range(PS_PODS - PODS, 'ps')) : undefined;
    say(`a ${DEPLOY_REPLICAS}-replica Deployment (one podctl apply, until every pod is ready)`);
    const deployment = await runDeployment('deploy', DEPLOY_REPLICAS);
    say(`the same ${DEPLOY_REPLICAS}-replica Deployment file: podctl apply -f and podman kube play, ${KUBE_PLAY_ROUNDS} rounds each, alternating`);
    const play = await measureKubePlay(podmanNet, DEPLOY_REPLICAS, KUBE_PLAY_ROUNDS);
    say(`podctl ps with ${PS_PODS} pods`);
    const ps100 = await measurePs(Math.max(PS_PODS, PODS), PS_RUNS);
    const removal = await removeConcurrent([...range(PODS, 'par'), ...(extra ? range(PS_PODS - PODS, 'ps') : [])]);
    say('services: rules update, apply with 100 services, ClusterIP latency');
    const services = await measureServices(podmanNet);
    say('cluster DNS: query latency and throughput from a pod, server memory');
    const dns = await measureDns();
    const serveScratch = mkdtempSync(join(tmpdir(), 'pct-bench-serve-'));
    const served = await measureServe(serveScratch, SERVE, say).finally(() => rmSync(serveScratch, { recursive: true, force: true }));
    say(`the API's watch: ${WATCH_ROUNDS} ConfigMaps stored by another process`);
    const watched = await measureWatch(WATCH_ROUNDS);
    const streamsScratch = mkdtempSync(join(tmpdir(), 'pct-bench-streams-'));
    const streams = await measureStreams(streamsScratch, STREAMS, say).finally(() => rmSync(streamsScratch, { recursive: true, force: true }));
    const kubeApiScratch = mkdtempSync(join(tmpdir(), 'pct-bench-kube-api-'));
    const kubeApi = await measureKubeApi(kubeApiScratch, KUBE_API, say).finally(() => rmSync(kubeApiScratch, { recursive: true, force: true }));

    const rows: Row[] = [
      { what: `bare node -e ''${startup.caVarSet ? ' (NODE_EXTRA_CA_CERTS set)' : ''}`, value: ms(startup.nodeMs) },
      { what: "bare node -e '' without NODE_EXTRA_CA_CERTS", value: ms(startup.nodeNoCaMs) },
      { what: 'podctl --version', value: ms(startup.versionMs), memory: mb(startup.maxRssKb) },
      { what: 'podctl ps, 0 pods (start-up rounds)', value: ms(startup.ps0Ms), memory: mb(startup.ps0MaxRssKb) },
      ...(['podctl', 'by-hand', 'podman', 'library', 'library, cold'] as const).map((c) => ({
        what: `pod life: ${c} (up / http / down)`,
        value: `${ms(lives[c]!.medianMs)} (${Math.round(lives[c]!.upMs)} / ${Math.round(lives[c]!.httpMs)} / ${Math.round(lives[c]!.downMs)})`,
        memory: c === 'podctl' ? mb(lives[c]!.maxRssKb) : c.startsWith('library') ? '(in the bench process)' : undefined,
      })),
      { what: `podctl ps, 0 pods (${ps0.apiCalls} API calls)`, value: ms(ps0.ms), memory: mb(ps0.maxRssKb) },
      { what: `podctl ps, ${ps100.pods} pods (${ps100.apiCalls} API calls)`, value: ms(ps100.ms), memory: mb(ps100.maxRssKb) },
      { what: `${PODS} pods one after another`, value: `${ms(sequential.ms)}, ${sequential.podsPerSec.toFixed(1)} pods/s`, memory: mb(sequential.maxRssKb) },
      { what: `${PODS} pods at once (one podctl apply)`, value: `${ms(concurrent.ms)}, ${concurrent.podsPerSec.toFixed(1)} pods/s`, memory: mb(concurrent.maxRssKb) },
      { what: `${DEPLOY_REPLICAS}-replica Deployment ready (one podctl apply) / deleted`, value: `${ms(deployment.ms)} / ${ms(deployment.deleteMs)}`, memory: mb(deployment.maxRssKb) },
      { what: `${DEPLOY_REPLICAS}-replica Deployment file: podctl apply (ready) / podman kube play (answering, ${play.podmanPods} pods)`, value: `${ms(play.podctlMs)} / ${ms(play.podmanMs)}` },
      { what: `${removal.pods} pods removed (one podctl rm -f)`, value: `${ms(removal.ms)}, ${removal.podsPerSec.toFixed(1)} pods/s`, memory: mb(removal.maxRssKb) },
      ...services.rows,
      ...dns.rows,
      ...served.rows,
      ...watched.rows,
      ...streams.rows,
      ...kubeApi.rows,
    ];
    const targets = [
      target('pod life: podctl / by-hand', lifeRatio(lives, 'podctl', 'by-hand'), '<=', 1.0),
      target('pod life: podctl / podman', lifeRatio(lives, 'podctl', 'podman'), '<=', 0.85),
      target('pod life: library (PodSession, prepareAhead) / by-hand', lifeRatio(lives, 'library', 'by-hand'), '<=', 0.6),
      // Each ps over the bare node run beside it: the two sets run minutes apart, at other loads.
      target(`podctl ps: ${ps100.pods} pods / 0 pods (each per bare node beside it)`, ps100.perNode / ps0.perNode, '<=', 2),
      target('podctl ps: API calls, 100 pods minus 0 pods', ps100.apiCalls - ps0.apiCalls, '<=', 0),
      target("podctl --version / node -e ''", startup.versionRatio, '<=', 1.3),
      target("podctl ps (0 pods) / node -e ''", startup.ps0Ratio, '<=', 1.8),
      target(`${PODS} pods: at once / one after another (pods/s)`, concurrent.podsPerSec / sequential.podsPerSec, '>=', 2),
      // 10 sequential runs, from the per-pod time of the sequential batch above.
      target(`${DEPLOY_REPLICAS}-replica Deployment: ${DEPLOY_REPLICAS} sequential runs / one apply`, (sequential.ms / sequential.pods) * DEPLOY_REPLICAS / deployment.ms, '>=', 3),
      // Only a like-for-like count compares: a podman that makes one pod of the file does less work.
      target(`${DEPLOY_REPLICAS}-replica Deployment file: podman kube play / podctl apply${play.podmanPods === DEPLOY_REPLICAS ? '' : ` (podman made ${play.podmanPods} pods: not comparable)`}`, play.podmanPods === DEPLOY_REPLICAS ? play.podmanMs / play.podctlMs : 0, '>=', 1),
      target(`${PODS} pods at once: reachable`, concurrentReach.reachable, '>=', PODS),
      target(`${PODS} pods at once: distinct IPs`, concurrentReach.distinctIps, '>=', PODS),
      ...services.targets,
      ...dns.targets,
      ...served.targets,
      ...watched.targets,
      ...streams.targets,
      ...kubeApi.targets,
    ];
    const info = [
      `not targets: library cold / by-hand ${round(lifeRatio(lives, 'library, cold', 'by-hand'))}; against node -e '' without NODE_EXTRA_CA_CERTS: --version ${round(startup.versionRatioNoCa)}, ps (0 pods) ${round(startup.ps0RatioNoCa)}`,
    ];
    process.stdout.write(`${renderReport(rows, targets)}\n${info.join('\n')}\n\none podctl pod life, podctl --timings run, then rm -f:\n${timings.run}\n${timings.rm}\n`);

    const results = {
      command: 'make bench',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version, docker: await version('docker', ['version', '--format', '{{.Server.Version}}']), podman: await version('podman', ['--version']) },
      settings: { rounds: ROUNDS, pods: PODS, network: 'bench/cni-conf (bridge pct-bench0 + host-local 10.238.0.0/16) for all three', podmanInfra: '--infra-image localhost/podctl-pause:3.10 (the same pause as podctl)', concurrency: `${PODS} podctl run processes started together` },
      startup,
      ps: { zero: ps0, hundred: ps100 },
      life: {
        ...lives,
        ratios: {
          podctlToByHand: round(lifeRatio(lives, 'podctl', 'by-hand')),
          podctlToPodman: round(lifeRatio(lives, 'podctl', 'podman')),
          libraryToByHand: round(lifeRatio(lives, 'library', 'by-hand')),
          libraryColdToByHand: round(lifeRatio(lives, 'library, cold', 'by-hand')),
        },
        timings,
      },
      services: services.results,
      dns: dns.results,
      serve: served.results,
      watch: watched.results,
      streams: streams.results,
      kubeApi: kubeApi.results,
      deployment,
      kubePlay: play,
      scale: { sequential: { ...sequential, reachability: sequentialReach, removal: sequentialRemoval }, concurrent: { ...concurrent, reachability: concurrentReach }, removal },
      targets,
    };
    writeFileSync(join(REPO_ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
    say(`wrote bench/results.json; ${targets.filter((t) => t.met).length} of ${targets.length} targets met`);
  } finally {
    const left = await cleanBench(podmanNet);
    if (left.length) say(`cleaned up: ${left.join(', ')}`);
    rmSync(podmanNet, { recursive: true, force: true });
    removeScratch();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
