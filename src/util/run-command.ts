import { PodctlError } from './errors.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs a program with an argument array (never a shell) and returns its output; a non-zero
 * exit becomes an error carrying stderr. execa is loaded on first use to keep CLI start-up lean.
 */
export async function runCommand(file: string, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    reject: false,
    timeout: options.timeoutMs ?? 30_000,
    input: options.input,
    stripFinalNewline: true,
  });
  if (result.failed) {
    const why = result.timedOut ? `timed out after ${options.timeoutMs ?? 30_000} ms` : String(result.stderr || result.shortMessage || 'failed').trim();
    throw new PodctlError('INTERNAL', `${file} ${args.join(' ')} failed: ${why}`, {
      details: { exitCode: result.exitCode, stderr: result.stderr },
    });
  }
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 0 };
}

/** The same, for callers that only need success or failure. */
export async function runQuiet(file: string, args: string[]): Promise<void> {
  await runCommand(file, args);
}

/**
 * Starts loading execa without waiting for it: called just before a long wait on dockerd, so
 * the first `ip`/plugin call later does not pay for the load.
 */
export function preloadRunCommand(): void {
  import('execa').catch(() => undefined);
}
