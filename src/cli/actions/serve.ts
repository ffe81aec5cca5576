import type { Command } from 'commander';
import { homedir } from 'node:os';
import { readTextIfExists, writeFileAtomic } from '../../util/atomic-file.js';
import { PodctlError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { defaultStatePaths } from '../../util/paths.js';
import { write } from '../output.js';
import { globals, logLevelOf, openPods, requireRoot } from '../context.js';

/**
 * `podctl serve` until SIGTERM or SIGINT: the host lock first (a second serve exits 1 at once),
 * then serve itself. Logs at info unless --log-level says otherwise: what serve did is its output.
 */
export async function serveAction(cmd: Command): Promise<void> {
  requireRoot();
  const opts = globals(cmd);
  const logger = createLogger(opts.logLevel || opts.verbose ? logLevelOf(opts) : 'info', opts.logFormat ?? 'text');
  const { parseListenAddress } = await import('../../api/listen.js');
  const listen = (cmd.opts() as { listen: string }).listen;
  const api = wrapFlag('--listen', () => parseListenAddress(listen));
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
  await serve({ pods, logger, signal: abort.signal, api, onUnhealthy: await livenessEventRecorder(cmd) });
  logger.info('serve: stopped');
  // Readiness waits serve left (their probes' timers) must not hold the process: the next
  // serve or command takes them up (the pods' checkpoints say they are still waiting).
  setTimeout(() => process.exit(), 200).unref();
}

/** A flag's value checked by a lower layer: its error names the flag. */
function wrapFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof PodctlError) throw new PodctlError(err.code, `${flag}: ${err.message}`, { hint: err.hint });
    throw err;
  }
}

/** `podctl kubeconfig [--merge]`: the running serve's API with the CA and the token. */
export async function kubeconfigAction(cmd: Command): Promise<void> {
  requireRoot();
  const { merge } = cmd.opts() as { merge?: boolean };
  const [{ runningApiUrl }, { readClientCredentials }, { kubeconfigFor, kubeconfigPath, mergeKubeconfig }, { parse, stringify }] = await Promise.all([
    import('../../api/index.js'),
    import('../../api/credentials.js'),
    import('../../api/kubeconfig.js'),
    import('yaml'),
  ]);
  const paths = defaultStatePaths();
  const url = await runningApiUrl(paths.runDir);
  const credentials = await readClientCredentials(paths.stateDir);
  if (!credentials) throw new PodctlError('NOT_FOUND', 'the API has no credentials yet', { hint: 'start podctl serve, which makes them' });
  const ours = kubeconfigFor({ url, ...credentials });
  if (!merge) return write(stringify(ours));
  const path = kubeconfigPath(process.env, homedir());
  const existing = await readTextIfExists(path);
  const parsed = existing?.trim() ? (parse(existing) as Record<string, unknown> | null) : undefined;
  if (parsed !== undefined && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) throw new PodctlError('INVALID_CONFIG', `${path} is not a kubeconfig (not a YAML mapping)`, { hint: 'fix or move it, then merge again' });
  await writeFileAtomic(path, stringify(mergeKubeconfig(parsed, ours)), { mode: 0o600 });
  write(`context podctl written to ${path}\n`);
}
