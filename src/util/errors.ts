/**
 * One error tree for all of podctl. Every error carries a stable `code` that callers
 * match on (never the message text), a `message` that says what failed and why, and an
 * optional `hint` that says what to do about it. The CLI prints them as one line.
 */

export type ErrorCode =
  | 'INVALID_ARGUMENT' // bad user input: names, flags, specs, manifests
  | 'INVALID_CONFIG' // a CNI network config or other file that does not parse or validate
  | 'NOT_FOUND' // a pod, network, plugin, container or image that does not exist
  | 'ALREADY_EXISTS' // a name that is taken
  | 'PERMISSION' // not root, or a file podctl may not touch
  | 'UNAVAILABLE' // Docker engine not answering, a registry that cannot be reached
  | 'CNI' // a CNI plugin returned an error
  | 'TIMEOUT' // something did not finish in time
  | 'LOCKED' // another podctl process holds the lock
  | 'FAILED_PRECONDITION' // the state does not allow the operation (pod not running, ...)
  | 'EXPIRED' // a resourceVersion older than the change history podctl keeps
  | 'INTERNAL'; // a bug or an unexpected answer

export interface ErrorOptions {
  hint?: string;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class PodctlError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PodctlError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** Exit status for the CLI: 2 for bad usage, 1 for everything else. */
  get exitCode(): number {
    return this.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}

export const invalidArgument = (message: string, hint?: string): PodctlError =>
  new PodctlError('INVALID_ARGUMENT', message, { hint });

export const notFound = (message: string, hint?: string): PodctlError =>
  new PodctlError('NOT_FOUND', message, { hint });

export function isPodctlError(err: unknown, code?: ErrorCode): err is PodctlError {
  return err instanceof PodctlError && (code === undefined || err.code === code);
}

/** Best-effort message of anything thrown, for wrapping foreign errors. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Node's errno code (ENOENT, EEXIST, ...) of a thrown system error, if any. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
