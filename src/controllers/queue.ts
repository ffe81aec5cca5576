/**
 * A work queue as client-go's (workqueue.RateLimitingInterface), for level-triggered
 * controllers: keys, not events, are queued, so a burst of changes to one object costs one
 * sync. A key is queued once however often it is added; a key being processed is never handed
 * to a second worker: added meanwhile, it is queued again when the first worker is `done`.
 * Failures requeue with exponential per-key backoff until `forget` (a success) resets it.
 */
export interface QueueOptions {
  /** The first retry's delay (ms); each later failure doubles it. */
  baseDelayMs?: number;
  /** The longest retry delay (ms). */
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys waiting to be processed (queued, or added again while being processed). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  /** Delayed adds: one timer per key, the earliest wins. */
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: QueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) this.hand(key, waiter);
    else this.queue.push(key);
  }

  /** Adds `key` after `delayMs`; an earlier pending delayed add of it stands. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** A failed key: again after baseDelay * 2^(failures so far), at most maxDelay. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, 30));
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its backoff starts over. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Every key's backoff starts over (what made them fail is gone: the engine answers again). */
  forgetAll(): void {
    this.failures.clear();
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key, marked as processing; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The worker finished `key`: added again meanwhile, it is queued now. */
  done(key: string): void {
    this.processing.delete(key);
    if (!this.dirty.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) this.hand(key, waiter);
    else this.queue.push(key);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Hands out nothing more: waiting workers get undefined; delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private hand(key: string, waiter: (key: string) => void): void {
    waiter(this.take(key));
  }
}

/** What a worker does with a failed key besides reporting it (runWorkers). */
export interface FailurePolicy {
  /**
   * A failure that says nothing about the key (the engine is away: a dockerd restart): the key
   * is tried again after this many ms without growing its backoff. Undefined: a failure of the key.
   */
  retryWithoutBackoffMs?(err: unknown): number | undefined;
}

/**
 * Runs `workers` loops taking keys from the queue until it shuts down: a success forgets the
 * key's backoff; a failure requeues it rate-limited (or, one the policy calls no fault of the
 * key, after a fixed delay) and is reported. Resolves when every loop ended.
 */
export async function runWorkers(queue: WorkQueue, workers: number, sync: (key: string) => Promise<void>, onError: (key: string, err: unknown, retryInMs: number) => void, policy: FailurePolicy = {}): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        const fixed = policy.retryWithoutBackoffMs?.(err);
        if (fixed === undefined) onError(key, err, queue.addRateLimited(key));
        else {
          queue.addAfter(key, fixed);
          onError(key, err, fixed);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
