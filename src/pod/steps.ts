import { PodctlError, messageOf } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** One finished step: when it started (ms since the process started) and how long it took. */
export interface StepTiming {
  name: string;
  startMs: number;
  ms: number;
  failed?: boolean;
}

/**
 * Runs the named steps of a pod operation: logs each with its duration at debug level (and
 * hands it to `record`, for `podctl --timings`), and
 * honours PODCTL_FAULT_STEP, a test-only switch (inert unless set) that makes the named step
 * fail, or with PODCTL_FAULT_MODE=hang stop there, so tests can prove rollback and crash
 * recovery at every step.
 */
export class StepRunner {
  constructor(
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly record?: (timing: StepTiming) => void,
  ) {}

  /** The same runner (environment, timing sink) logging to `logger`. */
  withLogger(logger: Logger): StepRunner {
    return new StepRunner(logger, this.env, this.record);
  }

  /**
   * Times a stretch of work that changes nothing on the host (a read, taking the pod lock) for
   * `--timings`: not a step, so not a fault point either.
   */
  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.record?.({ name, startMs: started, ms: performance.now() - started });
    }
  }

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    if (this.env.PODCTL_FAULT_STEP === name) {
      if (this.env.PODCTL_FAULT_MODE === 'hang') {
        this.logger.warn(`fault injection: hanging before step ${name}`);
        // A timer keeps the process alive: a bare pending promise would let node exit (and drop its locks).
        await new Promise(() => setInterval(() => undefined, 1 << 30));
      }
      throw new PodctlError('INTERNAL', `fault injected at step ${name}`);
    }
    try {
      const value = await fn();
      const ms = performance.now() - started;
      this.record?.({ name, startMs: started, ms });
      this.logger.debug(`step ${name}`, { ms: Math.round(ms) });
      return value;
    } catch (err) {
      const ms = performance.now() - started;
      this.record?.({ name, startMs: started, ms, failed: true });
      this.logger.debug(`step ${name} failed`, { ms: Math.round(ms), error: messageOf(err) });
      throw err;
    }
  }
}

/**
 * Undo actions registered as resources are acquired. On failure they run in reverse order;
 * every undo runs even if an earlier one fails, and their errors are attached to the
 * original error rather than replacing it.
 */
export class Rollback {
  private readonly undos: Array<{ name: string; fn: () => Promise<void> }> = [];

  push(name: string, fn: () => Promise<void>): void {
    this.undos.push({ name, fn });
  }

  /** The operation succeeded: keep everything. */
  commit(): void {
    this.undos.length = 0;
  }

  async unwind(logger: Logger): Promise<Error[]> {
    const failures: Error[] = [];
    while (this.undos.length > 0) {
      const undo = this.undos.pop()!;
      try {
        await undo.fn();
        logger.debug(`undo ${undo.name}`);
      } catch (err) {
        logger.warn(`undo ${undo.name} failed`, { error: messageOf(err) });
        failures.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return failures;
  }
}

/** Runs `body` with a rollback stack; unwinds it if `body` throws, then rethrows. */
export async function withRollback<T>(logger: Logger, body: (rollback: Rollback) => Promise<T>): Promise<T> {
  const rollback = new Rollback();
  try {
    const value = await body(rollback);
    rollback.commit();
    return value;
  } catch (err) {
    const undoErrors = await rollback.unwind(logger);
    if (undoErrors.length > 0 && err instanceof PodctlError) {
      (err as { details?: Record<string, unknown> }).details = {
        ...err.details,
        undoErrors: undoErrors.map((e) => e.message),
      };
    }
    throw err;
  }
}
