import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CniRuntime, SpawnPluginExec, type NetworkConfigList } from '../cni/index.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { defaultStatePaths, lockDir, type StatePaths } from '../util/paths.js';
import { StderrCapturingExec } from './capture-exec.js';
import { runStaticChecks, type StaticContext } from './checks/static-checks.js';
import { chooseEngine } from './engines/choose-engine.js';
import { bridgeNames, removeNewBridges } from './host/bridges.js';
import { readRouteLocalnet, restoreRouteLocalnet } from './host/route-localnet.js';
import { NetProbe, findPingCommand } from './host/net-probe.js';
import { runProgram, type RunProgram } from '../util/run-command.js';
import { runLiveChecks } from './live-network.js';
import { NetworkRun } from './network-run.js';
import { smokeCacheDir } from './remove-kept.js';
import { resolveTargets, type SmokeTarget } from './targets.js';
import { countChecks, type EngineName, type KeptPod, type NetworkReport, type SmokeReport, type SmokeReporter } from './types.js';

export interface SmokeOptions {
  /** Config files and directories, in order. */
  paths: string[];
  /** Only these networks (by name). */
  networks?: string[];
  /** Throwaway pods per network (default 2). */
  pods?: number;
  engine?: EngineName;
  keep?: boolean;
  /** Deadline of the whole run; what is left is skipped and the run fails. */
  timeoutMs?: number;
  cniPath: string[];
  statePaths?: StatePaths;
  reporter?: SmokeReporter;
  logger?: Logger;
  /** Aborts the run (SIGINT/SIGTERM); sandboxes are still removed. */
  signal?: AbortSignal;
  runHost?: RunProgram;
}

/** Sandbox names start with this, so a person (and --cleanup) can tell them apart. */
export const SANDBOX_PREFIX = 'cnitest';

/**
 * `podctl cni test`: per network, the static stage, then (when it passed) the live stage
 * on throwaway pods; at the end the bridges this run created are removed.
 */
export async function runSmoke(opts: SmokeOptions): Promise<SmokeReport> {
  const started = Date.now();
  const startedAt = new Date().toISOString();
  const logger = opts.logger ?? silentLogger;
  const reporter = opts.reporter ?? {};
  const runHost = opts.runHost ?? runProgram;
  const paths = opts.statePaths ?? defaultStatePaths();
  const targets = await resolveTargets(opts.paths, opts.networks);
  const runId = randomBytes(3).toString('hex');
  const engine = await chooseEngine(opts.engine, runId, runHost, logger);
  const probe = new NetProbe(runHost, await findPingCommand());
  const { signal, deadlineHit, dispose } = deadline(opts.signal, opts.timeoutMs);
  reporter.runStarted?.({ engine: engine.name, networks: targets.length });

  const linksBefore = await probe.hostLinks();
  const localnetBefore = await readRouteLocalnet(linksBefore);
  const tested: NetworkConfigList[] = [];
  const reports: NetworkReport[] = [];
  const kept: KeptPod[] = [];
  const shared: SharedRun = {
    opts, paths, logger, runId, engine, probe, signal, kept, tested, prepare: once(() => engine.prepare()),
    staticCtx: { cniPath: opts.cniPath, hostRoutes: await probe.routes(), others: [], seenNames: new Map() },
  };
  try {
    for (const [index, target] of targets.entries()) {
      const run = new NetworkRun(target.name, target.file, reporter, signal);
      reports.push(run.report);
      try {
        await testNetwork(run, target, index, shared);
      } finally {
        if (deadlineHit() && !reports.some((r) => r.checks.some((c) => c.name === 'timeout'))) {
          run.report.checks.push({ name: 'timeout', stage: 'live', status: 'failed', durationMs: 0, message: `the run took longer than --timeout ${Math.round((opts.timeoutMs ?? 0) / 1000)} s; the remaining checks were skipped` });
        }
        run.finish();
      }
    }
  } finally {
    dispose();
    if (!opts.keep) {
      const removed = await removeNewBridges(runHost, linksBefore, bridgeNames(tested)).catch(() => []);
      if (removed.length > 0) logger.info('removed the bridges this run created', { bridges: removed.join(', ') });
      const reset = await restoreRouteLocalnet(localnetBefore, paths.runDir);
      if (reset.length > 0) logger.info('put route_localnet back where the plugins changed it', { interfaces: reset.join(', ') });
      await forgetRunAttachments(smokeCacheDir(paths), runId);
    }
  }
  const counts = countChecks(reports);
  const interrupted = opts.signal?.aborted ?? false;
  const report: SmokeReport = {
    engine: engine.name, passed: counts.failed === 0 && !interrupted && counts.total > 0 && !deadlineHit(),
    interrupted, counts, networks: reports, kept, startedAt, durationMs: Date.now() - started,
  };
  reporter.runFinished?.(report);
  return report;
}

/** What every network of one run shares. */
interface SharedRun {
  opts: SmokeOptions;
  paths: StatePaths;
  logger: Logger;
  runId: string;
  engine: Awaited<ReturnType<typeof chooseEngine>>;
  probe: NetProbe;
  signal: AbortSignal;
  kept: KeptPod[];
  /** Networks that passed the static stage (their bridges are removed at the end). */
  tested: NetworkConfigList[];
  prepare: () => Promise<void>;
  staticCtx: Omit<StaticContext, 'probeVersion'>;
}

/** One network: the static stage, then (when it passed) the live stage on throwaway pods. */
async function testNetwork(run: NetworkRun, target: SmokeTarget, index: number, shared: SharedRun): Promise<void> {
  const { opts, paths, logger } = shared;
  const runtime = new CniRuntime({
    confDir: dirname(target.file),
    cniPath: opts.cniPath,
    cacheDir: smokeCacheDir(paths),
    lockDir: lockDir(paths),
    exec: new StderrCapturingExec(new SpawnPluginExec(), (text) => run.appendStderr(text)),
    logger,
    timeoutMs: Math.min(opts.timeoutMs ?? 60_000, 60_000),
  });
  const net = await runStaticChecks(run, target, { ...shared.staticCtx, probeVersion: (type) => runtime.pluginVersion(type) });
  if (!net) {
    run.skip('live', 'live', 'the static checks failed');
    return;
  }
  shared.tested.push(net);
  await runLiveChecks(run, net, {
    engine: shared.engine, prepareEngine: shared.prepare, runtime, probe: shared.probe, pods: opts.pods ?? 2, keep: opts.keep ?? false,
    namePrefix: `${SANDBOX_PREFIX}-${shared.runId}-${index + 1}`, signal: shared.signal, kept: shared.kept,
  });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

/** One signal for "stop now": the caller's (SIGINT/SIGTERM) or the --timeout deadline. */
function deadline(outer: AbortSignal | undefined, timeoutMs: number | undefined) {
  const controller = new AbortController();
  let hit = false;
  const onOuter = () => controller.abort(new Error('interrupted'));
  outer?.addEventListener('abort', onOuter, { once: true });
  if (outer?.aborted) onOuter();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    hit = true;
    controller.abort(new Error('timed out'));
  }, timeoutMs);
  timer?.unref();
  return {
    signal: controller.signal,
    deadlineHit: () => hit,
    dispose: () => {
      if (timer) clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/**
 * cni test's cache is its own (not a node's), and without --keep this run's namespaces are gone:
 * an entry a failed DEL kept (macvlan without its parent, say: already a failure in the report)
 * would only make the next `cni test --cleanup` fail on it, so the run's entries go with it.
 */
async function forgetRunAttachments(cacheDir: string, runId: string): Promise<void> {
  const results = join(cacheDir, 'results');
  const mine = (await readdir(results).catch(() => [] as string[])).filter((name) => name.includes(`-${SANDBOX_PREFIX}-${runId}-`));
  await Promise.all(mine.map((name) => rm(join(results, name), { force: true })));
}
