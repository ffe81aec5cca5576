import type { CheckResult, SmokeReport, SmokeReporter } from '../types.js';

export interface HumanReporterOptions {
  /** A terminal: a live line per running check, symbols and colours. */
  tty: boolean;
}

const COLOR = { green: '\x1b[32m', red: '\x1b[31m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

/**
 * The readable list: on a terminal each check shows while it runs and turns into ✓/✗/−
 * with its time; elsewhere (CI logs) one plain line per finished check.
 */
export class HumanReporter implements SmokeReporter {
  private pending = false;

  constructor(private readonly write: (text: string) => void, private readonly opts: HumanReporterOptions) {}

  runStarted(info: { engine: string; networks: number }): void {
    this.write(`podctl cni test: ${info.networks} network config(s), ${info.engine} engine\n`);
  }

  networkStarted(network: string, file?: string): void {
    this.write(`\n${this.paint('bold', `network ${network}`)}${file ? this.paint('dim', `  ${file}`) : ''}\n`);
  }

  checkStarted(_network: string, check: string): void {
    if (!this.opts.tty) return;
    this.write(`  ${this.paint('dim', '…')} ${check}`);
    this.pending = true;
  }

  checkFinished(_network: string, result: CheckResult): void {
    if (this.pending) this.write('\r\x1b[2K');
    this.pending = false;
    this.write(this.opts.tty ? this.ttyLine(result) : plainLine(result));
  }

  runFinished(report: SmokeReport): void {
    const { counts } = report;
    const verdict = report.passed ? this.paint('green', 'PASSED') : this.paint('red', 'FAILED');
    const why = report.interrupted ? ' (interrupted)' : '';
    this.write(`\n${verdict}${why}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${(report.durationMs / 1000).toFixed(1)} s\n`);
    if (report.kept.length > 0) {
      this.write('\nKept for debugging (--keep):\n');
      for (const k of report.kept) this.write(`  ${k.network} ${k.pod}: enter with  ${k.enter}\n`);
      this.write(`Remove them (CNI DEL, then the sandboxes) with:  ${report.kept[0]!.remove.join(' && ')}\n`);
    }
  }

  private ttyLine(r: CheckResult): string {
    const mark = r.status === 'passed' ? this.paint('green', '✓') : r.status === 'failed' ? this.paint('red', '✗') : this.paint('dim', '−');
    const ms = this.paint('dim', `${r.durationMs} ms`);
    const note = r.status === 'passed' ? (r.detail ? this.paint('dim', `  ${r.detail}`) : '') : r.message ? `\n      ${r.status === 'failed' ? this.paint('red', r.message) : this.paint('dim', r.message)}` : '';
    return `  ${mark} ${r.name}  ${ms}${note}\n`;
  }

  private paint(color: keyof typeof COLOR, text: string): string {
    return this.opts.tty ? `${COLOR[color]}${text}${COLOR.reset}` : text;
  }
}

/** `  ok   pod1 add (85 ms): eth0 10.231.1.2/24` — greppable, no control characters. */
export function plainLine(r: CheckResult): string {
  const word = r.status === 'passed' ? 'ok  ' : r.status === 'failed' ? 'FAIL' : 'skip';
  const note = r.status === 'passed' ? r.detail : r.message;
  return `  ${word} ${r.name} (${r.durationMs} ms)${note ? `: ${note}` : ''}\n`;
}
