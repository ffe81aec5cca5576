import type { Command } from 'commander';
import { PodctlError, invalidArgument } from '../util/errors.js';
import { createLogger, isLogLevel, type LogFormat, type Logger, type LogLevel } from '../util/logger.js';
import type { PodManager } from '../pod/manager.js';

/** Global options every command sees (commander's optsWithGlobals). */
export interface GlobalOptions {
  cniConfDir?: string;
  cniPath?: string;
  /** Seconds (commander parsed it). */
  pluginTimeout?: number;
  logLevel?: string;
  logFormat?: LogFormat;
  verbose?: boolean;
  timings?: boolean;
  namespace?: string;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function logLevelOf(opts: GlobalOptions): LogLevel {
  if (opts.verbose) return 'debug';
  const level = opts.logLevel ?? 'warn';
  if (!isLogLevel(level)) throw invalidArgument(`--log-level "${level}" is not a level`, 'use error, warn, info or debug');
  return level;
}

export function loggerFor(cmd: Command): Logger {
  const opts = globals(cmd);
  return createLogger(logLevelOf(opts), opts.logFormat ?? 'text');
}

/** `--plugin-timeout` in milliseconds, or undefined for the runtime's default. */
export function pluginTimeoutMs(cmd: Command): number | undefined {
  const seconds = globals(cmd).pluginTimeout;
  return seconds === undefined ? undefined : seconds * 1000;
}

/** podctl changes namespaces, iptables and /var/run/netns: it refuses early instead of half-failing. */
export function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new PodctlError('PERMISSION', 'podctl needs root: it creates network namespaces, veths and iptables rules', {
      hint: 'run it as root (sudo podctl ...)',
    });
  }
}

/** Opens the pod manager with the global options (and the command's own logger, when given); heavy modules load here, not at start-up. */
export async function openPods(cmd: Command, logger: Logger = loggerFor(cmd)): Promise<PodManager> {
  requireRoot();
  const opts = globals(cmd);
  const [{ PodManager }, { pullRenderer }, timings] = await Promise.all([
    import('../pod/manager.js'),
    import('./pull-progress.js'),
    opts.timings ? import('./timings.js') : undefined,
  ]);
  return PodManager.open({
    ...(timings ? { onStep: timings.startTimings() } : {}),
    cniConfDir: opts.cniConfDir,
    cniPath: opts.cniPath,
    pluginTimeoutMs: pluginTimeoutMs(cmd),
    logger,
    onPull: pullRenderer(process.stderr),
  });
}
