import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** One measured process: wall time from spawn to exit, its output, and its peak memory. */
export interface Timed {
  ms: number;
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Peak resident set size in KiB (GNU time's %M), when measured. */
  maxRssKb?: number;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Variables removed from the inherited environment. */
  unsetEnv?: string[];
  /** Wrap the command in GNU time to read its peak memory (adds ~1 ms, the same for every contender). */
  memory?: boolean;
  timeoutMs?: number;
}

let scratch: string | undefined;
let serial = 0;

/** Removes the bench's temp files (peak-memory reports). */
export function removeScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** Runs `file args` (argument array, no shell), timing it from spawn to exit. */
export async function timed(file: string, args: string[], options: RunOptions = {}): Promise<Timed> {
  if (options.memory) scratch ??= mkdtempSync(join(tmpdir(), 'pct-bench-rss-'));
  const rssFile = options.memory && scratch ? join(scratch, `rss-${serial++}`) : undefined;
  const [cmd, argv] = rssFile ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, file, ...args]] : [file, args];
  const start = process.hrtime.bigint();
  const env = options.unsetEnv ? Object.fromEntries(Object.entries({ ...process.env, ...options.env }).filter(([k]) => !options.unsetEnv!.includes(k))) : options.env;
  const result = await execa(cmd, argv, { reject: false, env, extendEnv: !options.unsetEnv, stdin: 'ignore', timeout: options.timeoutMs ?? 300_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let maxRssKb: number | undefined;
  if (rssFile) {
    maxRssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    rmSync(rssFile, { force: true });
  }
  return { ms, stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1, maxRssKb };
}

/** The same, failing with the command's own error output when it exits non-zero. */
export async function timedOk(file: string, args: string[], options: RunOptions = {}): Promise<Timed> {
  const result = await timed(file, args, options);
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode}: ${result.stderr.trim()}`);
  return result;
}

/** Milliseconds taken by `fn`. */
export async function stopwatch<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}
