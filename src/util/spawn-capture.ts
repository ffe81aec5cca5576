import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * Runs a program with an argument array (never a shell) and collects its output: what podctl's
 * hot path needs from a child process (`ip netns`, CNI plugins). node:child_process directly
 * rather than execa: loading execa and its per-call stream machinery cost 10-15 ms of CPU in
 * every `podctl run` and `rm`, more than the plugin it runs (see docs/ARCHITECTURE.md).
 */
export interface SpawnRequest {
  input?: string;
  /** The child's whole environment; default: this process's. */
  env?: Record<string, string | undefined>;
  timeoutMs: number;
  killSignal?: NodeJS.Signals;
  /** Output beyond this many bytes (each stream) kills the child. */
  maxBuffer?: number;
  /** Open descriptors of this process the child gets too, as its fds 3, 4, ... */
  inheritFds?: readonly number[];
}

export interface SpawnOutcome {
  /** The exit status; undefined when the child was killed or never started. */
  exitCode: number | undefined;
  signal: NodeJS.Signals | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The error that kept the child from starting (ENOENT, EACCES, ETXTBSY, ...). */
  spawnError?: NodeJS.ErrnoException;
  /** Set when the child was killed for writing more than maxBuffer. */
  overflow?: boolean;
}

export function spawnCapture(file: string, args: readonly string[], request: SpawnRequest): Promise<SpawnOutcome> {
  const maxBuffer = request.maxBuffer ?? 64 * 1024 * 1024;
  return new Promise((resolve) => {
    let child;
    try {
      // Pipes on fds 0-2 whatever follows them, so the streams are there.
      child = spawn(file, args, { env: request.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe', ...(request.inheritFds ?? [])] }) as ChildProcessWithoutNullStreams;
    } catch (e) {
      // Some start failures (ETXTBSY) are thrown rather than emitted.
      resolve({ exitCode: undefined, signal: undefined, stdout: '', stderr: '', timedOut: false, spawnError: e as NodeJS.ErrnoException });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const size = { out: 0, err: 0 };
    let timedOut = false;
    let overflow = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const kill = () => child.kill(request.killSignal ?? 'SIGTERM');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, request.timeoutMs);
    const collect = (chunks: Buffer[], key: 'out' | 'err') => (chunk: Buffer) => {
      size[key] += chunk.length;
      if (size[key] > maxBuffer) {
        overflow = true;
        kill();
        return;
      }
      chunks.push(chunk);
    };
    child.stdout.on('data', collect(out, 'out'));
    child.stderr.on('data', collect(err, 'err'));
    // A child that exits without reading its input closes the pipe: EPIPE is not our failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.input ?? '');
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode: spawnError ? undefined : (code ?? undefined),
        signal: signal ?? undefined,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ...(spawnError ? { spawnError } : {}),
        ...(overflow ? { overflow } : {}),
      });
    });
  });
}
