import { PodctlError } from './errors.js';
import { spawnCapture } from './spawn-capture.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs a program with an argument array (never a shell) and returns its output, the final
 * newline stripped; a failure becomes an error carrying stderr.
 */
export async function runCommand(file: string, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const result = await spawnCapture(file, args, { timeoutMs, ...(options.input !== undefined ? { input: options.input } : {}) });
  const stdout = result.stdout.replace(/\r?\n$/, '');
  const stderr = result.stderr.replace(/\r?\n$/, '');
  if (result.exitCode !== 0) {
    const why = result.timedOut
      ? `timed out after ${timeoutMs} ms`
      : result.spawnError
        ? result.spawnError.message
        : stderr.trim() || (result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`);
    throw new PodctlError('INTERNAL', `${file} ${args.join(' ')} failed: ${why}`, {
      details: { exitCode: result.exitCode, stderr },
    });
  }
  return { stdout, stderr, exitCode: 0 };
}

/** The same, for callers that only need success or failure. */
export async function runQuiet(file: string, args: string[]): Promise<void> {
  await runCommand(file, args);
}
