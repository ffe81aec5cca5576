import { PodctlError, messageOf, type ErrorCode } from '../util/errors.js';
import type { ApiResource } from './resources.js';

/**
 * Errors as the API server answers them: a `metav1.Status` with its HTTP code and reason, and
 * a message in the API server's words (kubectl prints `Error from server (REASON): MESSAGE`).
 * Handlers throw `PodctlError`s; the code says which Status they become.
 */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: Record<string, unknown>;
  code: number;
}

const BY_CODE: Partial<Record<ErrorCode, { code: number; reason: string }>> = {
  INVALID_ARGUMENT: { code: 400, reason: 'BadRequest' },
  NOT_FOUND: { code: 404, reason: 'NotFound' },
  PERMISSION: { code: 401, reason: 'Unauthorized' },
  FAILED_PRECONDITION: { code: 409, reason: 'Conflict' },
  TIMEOUT: { code: 504, reason: 'Timeout' },
  EXPIRED: { code: 410, reason: 'Expired' },
  UNAVAILABLE: { code: 503, reason: 'ServiceUnavailable' },
};

export function failure(code: number, reason: string, message: string, details?: Record<string, unknown>): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** Anything a handler threw, as the Status to answer with (500 InternalError for what is not a PodctlError). */
export function statusOf(err: unknown): Status {
  const own = err instanceof PodctlError ? (err.details?.status as Status | undefined) : undefined;
  if (own?.kind === 'Status') return own;
  const mapped = err instanceof PodctlError ? BY_CODE[err.code] : undefined;
  if (!mapped) return failure(500, 'InternalError', `Internal error occurred: ${messageOf(err)}`);
  return failure(mapped.code, mapped.reason, messageOf(err), err instanceof PodctlError ? err.details : undefined);
}

export const UNAUTHORIZED: Status = failure(401, 'Unauthorized', 'Unauthorized');

/** The API server's 404 for a path it does not serve (an unknown resource or group). */
export const PAGE_NOT_FOUND: Status = failure(404, 'NotFound', 'the server could not find the requested resource', { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] });

/** `pods "web" not found`, `deployments.apps "web" not found`: the API server's NotFound for one object. */
export function objectNotFound(r: ApiResource, name: string): PodctlError {
  const resource = r.group ? `${r.name}.${r.group}` : r.name;
  return new PodctlError('NOT_FOUND', `${resource} "${name}" not found`, { details: { name, ...(r.group ? { group: r.group } : {}), kind: r.name } });
}

export const badRequest = (message: string): PodctlError => new PodctlError('INVALID_ARGUMENT', message);

/**
 * An error that answers with a Status of its own, for the API server's reasons that no podctl
 * error code names (AlreadyExists, Conflict, Invalid with causes, MethodNotSupported); `code`
 * is the podctl code for anyone who catches it below the API.
 */
export function apiError(code: ErrorCode, status: Status): PodctlError {
  return new PodctlError(code, status.message, { details: { status } });
}
