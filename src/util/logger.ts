/**
 * Logs go to stderr through winston, as text lines or JSON (`--log-format json`), with child
 * loggers that carry context (the pod). Loading winston costs tens of milliseconds, so the
 * logger loads it on the first message that passes the level filter: a quiet `podctl ps`
 * never pays for it.
 */

import { createRequire } from 'node:module';
import type * as Winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  readonly level: LogLevel;
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  enabled(level: LogLevel): boolean;
  /** A logger that adds `meta` to every message (optional: see childLogger). */
  child?(meta: Record<string, unknown>): Logger;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(RANK, value);
}

/** `text`: one readable line per message; `json`: one JSON object per line, for log collectors. */
export type LogFormat = 'text' | 'json';

export function isLogFormat(value: string): value is LogFormat {
  return value === 'text' || value === 'json';
}

export function createLogger(level: LogLevel = 'warn', format: LogFormat = 'text'): Logger {
  let root: Winston.Logger | undefined;
  const base = (): Winston.Logger => {
    if (!root) {
      const w = createRequire(import.meta.url)('winston') as typeof Winston;
      const { combine, timestamp, printf, json } = w.format;
      const line = printf(({ level: lvl, message, timestamp: ts, ...meta }) => {
        const extra = Object.entries(meta)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        return `${ts} ${lvl.padEnd(5)} ${message}${extra ? ' ' + extra : ''}`;
      });
      root = w.createLogger({
        level,
        format: format === 'json' ? combine(timestamp(), json()) : combine(timestamp({ format: 'HH:mm:ss.SSS' }), line),
        transports: [new w.transports.Stream({ stream: process.stderr })],
      });
    }
    return root;
  };
  return wrap(level, base);
}

/** A Logger over a (lazily created) winston logger; `child` is winston's, created on first use too. */
function wrap(level: LogLevel, sink: () => Winston.Logger): Logger {
  const enabled = (at: LogLevel) => RANK[at] <= RANK[level];
  const emit = (at: LogLevel) => (message: string, meta?: Record<string, unknown>) => {
    if (enabled(at)) sink().log(at, message, meta ?? {});
  };
  const child = (meta: Record<string, unknown>): Logger => {
    let made: Winston.Logger | undefined;
    return wrap(level, () => (made ??= sink().child(meta)));
  };
  return { level, enabled, child, error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}

/**
 * A logger whose every message carries `meta` (e.g. the pod it is about): winston's child
 * logger for podctl's own loggers, a wrapper for any other Logger a library user passes.
 */
export function childLogger(logger: Logger, meta: Record<string, unknown>): Logger {
  if (logger.child) return logger.child(meta);
  const bound = (at: LogLevel) => (message: string, more?: Record<string, unknown>) => logger[at](message, { ...meta, ...more });
  return { level: logger.level, enabled: (at) => logger.enabled(at), error: bound('error'), warn: bound('warn'), info: bound('info'), debug: bound('debug') };
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
