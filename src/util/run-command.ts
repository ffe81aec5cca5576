import { PodctlError } from './errors.js';
import { spawnCapture } from './spawn-capture.js';

/** What a host program left behind: its exit status (-1 when it was killed) and its output. */
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  input?: string;
  /** Default 30 s; a program still running then is killed and its exit status is -1. */
  timeoutMs?: number;
  /** What podctl needs the program for, named when it is not installed ("Services"). */
  neededFor?: string;
}

/**
 * Runs a host program with an argument array (never a shell): the one seam through which
 * podctl's layers run `ip`, `nft`, `conntrack` and the like, so that unit tests pass a fake.
 * A non-zero exit is a result, not a throw: callers decide what a failure means. A program
 * that cannot start at all is a throw, one line naming the package to install.
 */
export type RunProgram = (file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

const DEFAULT_TIMEOUT_MS = 30_000;

export const runProgram: RunProgram = async (file, args, options = {}) => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const result = await spawnCapture(file, args, { timeoutMs, ...(options.input !== undefined ? { input: options.input } : {}) });
  if (result.spawnError) throw cannotStart(file, result.spawnError, options.neededFor);
  if (result.exitCode !== undefined) return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  const why = result.timedOut ? `timed out after ${timeoutMs} ms` : result.overflow ? 'killed: output over 64 MiB' : `killed by ${result.signal ?? 'a signal'}`;
  return { exitCode: -1, stdout: result.stdout, stderr: result.stderr ? `${result.stderr.replace(/\n$/, '')}\n${why}` : why };
};

/** Debian's package for the programs podctl runs whose package is not named after them. */
const PACKAGE_OF: Record<string, string> = {
  nft: 'nftables',
  ip: 'iproute2',
  bridge: 'iproute2',
  tc: 'iproute2',
  ss: 'iproute2',
  ip6tables: 'iptables',
  modprobe: 'kmod',
  ping: 'iputils-ping',
  dot: 'graphviz',
};

function cannotStart(file: string, error: NodeJS.ErrnoException, neededFor: string | undefined): PodctlError {
  if (error.code !== 'ENOENT') return new PodctlError('INTERNAL', `${file} could not be started: ${error.message}`, { cause: error });
  const name = file.split('/').pop() ?? file;
  const pkg = PACKAGE_OF[name] ?? name;
  return new PodctlError('FAILED_PRECONDITION', `${name} is not installed${neededFor ? `: podctl needs it for ${neededFor}` : ''}`, {
    hint: `install it (apt-get install ${pkg}) or run scripts/setup.sh`,
    details: { missingProgram: name, package: pkg },
  });
}

/** True for the error of a program that is not installed. */
export const isMissingProgram = (err: unknown): boolean => err instanceof PodctlError && err.details?.missingProgram !== undefined;

/**
 * The same for callers to whom any failure is an error: the output with its final newline
 * stripped, or a throw carrying stderr.
 */
export async function runCommand(file: string, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const result = await runProgram(file, args, options);
  const stdout = result.stdout.replace(/\r?\n$/, '');
  const stderr = result.stderr.replace(/\r?\n$/, '');
  if (result.exitCode !== 0) {
    const why = stderr.trim() || `exit code ${result.exitCode}`;
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
