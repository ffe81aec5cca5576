import { setTimeout as sleep } from 'node:timers/promises';

/** How often `poll` tries: the first pause, doubled after each try up to the longest. */
export interface PollOptions {
  firstDelayMs: number;
  maxDelayMs: number;
  /** Give up once this moment (Date.now() milliseconds) has passed; pauses never run past it. */
  deadline?: number;
  /** Give up after this many tries. */
  attempts?: number;
}

/**
 * Calls `attempt` until it returns something other than `undefined`, pausing in between with
 * a doubling backoff; `undefined` when the deadline or the number of attempts ran out. The one
 * retry loop: readiness waits, probes and retries of busy plugin binaries all use it.
 */
export async function poll<T>(attempt: (n: number) => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  let delay = options.firstDelayMs;
  for (let n = 1; ; n++) {
    const value = await attempt(n);
    if (value !== undefined) return value;
    if (options.attempts !== undefined && n >= options.attempts) return undefined;
    const left = options.deadline === undefined ? Infinity : options.deadline - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, options.maxDelayMs);
  }
}
