import type { Command } from 'commander';
import { createLogger } from '../../util/logger.js';
import { globals, logLevelOf, openPods, requireRoot } from '../context.js';

/**
 * `podctl serve` until SIGTERM or SIGINT: the host lock first (a second serve exits 1 at once),
 * then serve itself. Logs at info unless --log-level says otherwise: what serve did is its output.
 */
export async function serveAction(cmd: Command): Promise<void> {
  requireRoot();
  const opts = globals(cmd);
  const logger = createLogger(opts.logLevel || opts.verbose ? logLevelOf(opts) : 'info', opts.logFormat ?? 'text');
  const [{ holdServeLock }, { serve }] = await Promise.all([import('../../serve/lock.js'), import('../../serve/serve.js')]);
  const pods = await openPods(cmd, logger);
  await using _lock = await holdServeLock(pods.runDir);
  const abort = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      logger.info(`serve: ${sig}; stopping (the pods keep running)`);
      abort.abort();
    });
  }
  const { livenessEventRecorder } = await import('./objects.js');
  await serve({ pods, logger, signal: abort.signal, onUnhealthy: await livenessEventRecorder(cmd) });
  logger.info('serve: stopped');
  // Readiness waits serve left (their probes' timers) must not hold the process: the next
  // serve or command takes them up (the pods' checkpoints say they are still waiting).
  setTimeout(() => process.exit(), 200).unref();
}
