import { messageOf } from '../util/errors.js';
import type { CheckResult, CheckStage, NetworkReport, SmokeReporter } from './types.js';

/** What a check may return: nothing (passed), a detail to show, or a reason to skip. */
export type CheckOutcome = void | { detail?: string; skipped?: string };

/**
 * Records the checks of one network: each runs timed, any thrown error is its failure
 * message, and the reporter sees it start and finish. After an interrupt the remaining
 * checks are recorded as skipped instead of run.
 */
export class NetworkRun {
  readonly report: NetworkReport;
  private readonly started = Date.now();

  constructor(
    name: string,
    file: string | undefined,
    private readonly reporter: SmokeReporter,
    private readonly signal?: AbortSignal,
  ) {
    this.report = { name, file, checks: [], pluginStderr: '', startedAt: new Date().toISOString(), durationMs: 0 };
    reporter.networkStarted?.(name, file);
  }

  get failed(): boolean {
    return this.report.checks.some((c) => c.status === 'failed');
  }

  /** Runs one check; true when it passed (skipped counts as not passed). */
  async check(stage: CheckStage, name: string, fn: () => Promise<CheckOutcome> | CheckOutcome): Promise<boolean> {
    if (this.signal?.aborted) {
      this.skip(stage, name, 'interrupted');
      return false;
    }
    this.reporter.checkStarted?.(this.report.name, name);
    const t0 = performance.now();
    let result: CheckResult;
    try {
      const outcome = (await fn()) ?? {};
      const durationMs = Math.round(performance.now() - t0);
      result = outcome.skipped !== undefined
        ? { name, stage, status: 'skipped', durationMs, message: outcome.skipped }
        : { name, stage, status: 'passed', durationMs, ...(outcome.detail !== undefined && { detail: outcome.detail }) };
    } catch (err) {
      result = { name, stage, status: 'failed', durationMs: Math.round(performance.now() - t0), message: messageOf(err) };
    }
    this.push(result);
    return result.status === 'passed';
  }

  skip(stage: CheckStage, name: string, reason: string): void {
    this.push({ name, stage, status: 'skipped', durationMs: 0, message: reason });
  }

  appendStderr(text: string): void {
    this.report.pluginStderr += text;
  }

  finish(): NetworkReport {
    this.report.durationMs = Date.now() - this.started;
    return this.report;
  }

  private push(result: CheckResult): void {
    this.report.checks.push(result);
    this.reporter.checkFinished?.(this.report.name, result);
  }
}
