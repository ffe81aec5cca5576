import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { PodManager } from '../pod/manager.js';
import type { PodRef } from '../pod/naming.js';
import type { PodSpec } from '../pod/spec.js';
import { messageOf } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { findResource } from './resources.js';
import { badRequest, objectNotFound } from './status.js';

/**
 * `pods/NAME/log`: a container's output as plain text, through the pod layer's logs (the same
 * read as `podctl logs`), with the API server's options (PodLogOptions) and its refusals. The
 * request is checked and the container chosen before the answer starts, so a refusal is a
 * Status; then the text streams, and with `follow` goes on until the container ends or the
 * client goes.
 */
export interface LogQuery {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** From sinceSeconds or sinceTime: Unix seconds. */
  since?: number;
  limitBytes?: number;
}

const flag = (q: URLSearchParams, name: string) => ['true', '1'].includes(q.get(name) ?? '');

function integer(q: URLSearchParams, name: string, min: number): number | undefined {
  const text = q.get(name);
  if (text === null || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw badRequest(`${name}: Invalid value: "${text}": must be an integer`);
  if (n < min) throw badRequest(`${name}: Invalid value: ${n}: must be greater than ${min === 0 ? 'or equal to 0' : min - 1}`);
  return n;
}

/** PodLogOptions from the query, validated as the API server validates them. */
export function parseLogQuery(q: URLSearchParams, now = Date.now()): LogQuery {
  const sinceSeconds = integer(q, 'sinceSeconds', 1);
  const sinceTime = q.get('sinceTime') || undefined;
  if (sinceSeconds !== undefined && sinceTime !== undefined) throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  let since: number | undefined;
  if (sinceSeconds !== undefined) since = now / 1000 - sinceSeconds;
  if (sinceTime !== undefined) {
    const ms = Date.parse(sinceTime);
    if (Number.isNaN(ms) || !/^\d{4}-\d\d-\d\dT/.test(sinceTime)) throw badRequest(`sinceTime: Invalid value: "${sinceTime}": not an RFC 3339 time`);
    since = ms / 1000;
  }
  const tailLines = integer(q, 'tailLines', 0);
  const limitBytes = integer(q, 'limitBytes', 1);
  const container = q.get('container') || undefined;
  return {
    ...(container !== undefined ? { container } : {}),
    follow: flag(q, 'follow'),
    previous: flag(q, 'previous'),
    timestamps: flag(q, 'timestamps'),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

/** `[a b]`: a list as the API server's messages print it. */
const goList = (names: string[]) => `[${names.join(' ')}]`;

/**
 * The container a request reads, by the API server's rules: the one named (one of the pod's
 * init or app containers), else the pod's only container; a pod of several needs a name.
 */
export function logContainer(pod: string, spec: Pick<PodSpec, 'containers' | 'initContainers'>, container: string | undefined): string {
  const apps = spec.containers.map((c) => c.name);
  const inits = spec.initContainers.map((c) => c.name);
  if (container === undefined) {
    if (apps.length === 1) return apps[0]!;
    throw badRequest(`a container name must be specified for pod ${pod}, choose one of: ${goList(apps)}${inits.length ? ` or one of the init containers: ${goList(inits)}` : ''}`);
  }
  if (!apps.includes(container) && !inits.includes(container)) throw badRequest(`container ${container} is not valid for pod ${pod}`);
  return container;
}

/**
 * Writes at most `limit` bytes into `out`, then calls `reached` once (the reader stops): the
 * API server's limitBytes, which may cut a line.
 */
export function limitedWriter(out: Writable, limit: number | undefined, reached: () => void): Writable {
  let left = limit ?? Infinity;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (left <= 0) return callback();
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      left -= part.length;
      out.write(part);
      if (left <= 0) reached();
      callback();
    },
  });
}

/**
 * Checks the pod, the container and the options (throws what becomes a Status), then returns
 * the writer of the answer. The writer starts the answer with the first byte of output, so what
 * the pod layer refuses before reading (a previous instance that does not exist) still becomes a
 * Status: it rejects only while nothing was sent.
 */
export async function prepareLogs(pods: PodManager, logger: Logger, ref: PodRef, query: URLSearchParams): Promise<(res: ServerResponse) => Promise<void>> {
  const options = parseLogQuery(query);
  const spec = await pods.getSpec(ref);
  if (!spec) throw objectNotFound(findResource('', 'v1', 'pods')!, ref.name);
  const container = logContainer(ref.name, spec, options.container);
  return async (res) => {
    const stop = new AbortController();
    res.on('close', () => stop.abort());
    const begin = () => {
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
    };
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        begin();
        res.write(chunk);
        callback();
      },
    });
    const body = limitedWriter(out, options.limitBytes, () => stop.abort());
    try {
      await pods.logs(ref, { stdout: body, stderr: body }, {
        container,
        follow: options.follow,
        timestamps: options.timestamps,
        instance: options.previous ? 'previous' : 'current',
        signal: stop.signal,
        ...(options.tailLines !== undefined ? { tail: options.tailLines } : {}),
        ...(options.since !== undefined ? { since: options.since } : {}),
      });
    } catch (err) {
      if (!res.headersSent) throw err;
      // The answer has begun: a failure can only end it.
      logger.debug(`api: logs of ${ref.namespace}/${ref.name}: ${messageOf(err)}`);
    }
    begin();
    res.end();
  };
}
