import { PodctlError, messageOf } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/**
 * Runs the named steps of a pod operation: logs each with its duration at debug level, and
 * honours PODCTL_FAULT_STEP, a test-only switch (inert unless set) that makes the named step
 * fail, or with PODCTL_FAULT_MODE=hang stop there, so tests can prove rollback and crash
 * recovery at every step.
 */
export class StepRunner {
  constructor(
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    if (this.env.PODCTL_FAULT_STEP === name) {
      if (this.env.PODCTL_FAULT_MODE === 'hang') {
        this.logger.warn(`fault injection: hanging before step ${name}`);
        await new Promise(() => undefined);
      }
      throw new PodctlError('INTERNAL', `fault injected at step ${name}`);
    }
    try {
      const value = await fn();
      this.logger.debug(`step ${name}`, { ms: Math.round(performance.now() - started) });
      return value;
    } catch (err) {
      this.logger.debug(`step ${name} failed`, { ms: Math.round(performance.now() - started), error: messageOf(err) });
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
