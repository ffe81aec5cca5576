import { createRequire } from 'node:module';
import type * as Winston from 'winston';

/**
 * Logs go to stderr through winston. Loading winston costs tens of milliseconds, so the
 * logger loads it on the first message that passes the level filter: a quiet `podctl ps`
 * never pays for it.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  readonly level: LogLevel;
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  enabled(level: LogLevel): boolean;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(RANK, value);
}

export function createLogger(level: LogLevel = 'warn'): Logger {
  let winston: Winston.Logger | undefined;
  const sink = (): Winston.Logger => {
    if (!winston) {
      const w = createRequire(import.meta.url)('winston') as typeof Winston;
      const { combine, timestamp, printf } = w.format;
      winston = w.createLogger({
        level,
        format: combine(
          timestamp({ format: 'HH:mm:ss.SSS' }),
          printf(({ level: lvl, message, timestamp: ts, ...meta }) => {
            const extra = Object.entries(meta)
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ');
            return `${ts} ${lvl.padEnd(5)} ${message}${extra ? ' ' + extra : ''}`;
          }),
        ),
        transports: [new w.transports.Stream({ stream: process.stderr })],
      });
    }
    return winston;
  };
  const enabled = (at: LogLevel) => RANK[at] <= RANK[level];
  const emit = (at: LogLevel) => (message: string, meta?: Record<string, unknown>) => {
    if (enabled(at)) sink().log(at, message, meta ?? {});
  };
  return { level, enabled, error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}

/** A logger that drops everything, for library callers that pass none. */
export const silentLogger: Logger = {
  level: 'error',
  enabled: () => false,
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};
