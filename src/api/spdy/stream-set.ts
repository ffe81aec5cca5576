import { PodctlError } from '../../util/errors.js';
import type { SpdySession, SpdyStream } from './session.js';

/** The `streamtype` header's values (exec's channels, and port-forward's data and error). */
export const STREAM_TYPE = { error: 'error', stdin: 'stdin', stdout: 'stdout', stderr: 'stderr', resize: 'resize', data: 'data' } as const;

/** How long the client has to open the streams a request needs, as the kubelet waits. */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

/**
 * Accepts the client's streams until one of each type in `types` is open (a stream of another
 * type is refused); rejects when the client takes too long or goes away.
 */
export function awaitStreams(session: SpdySession, types: readonly string[], timeoutMs = STREAM_CREATION_TIMEOUT_MS): Promise<Map<string, SpdyStream>> {
  const streams = new Map<string, SpdyStream>();
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      session.off('stream', onStream);
      session.off('close', onClose);
      if (err) reject(err);
      else resolve(streams);
    };
    const onStream = (stream: SpdyStream) => {
      const type = stream.headers.streamtype ?? '';
      if (!types.includes(type) || streams.has(type)) {
        return stream.refuse();
      }
      streams.set(type, stream.accept());
      if (streams.size === types.length) done();
    };
    const onClose = () => done(new PodctlError('UNAVAILABLE', 'the client went away before opening its streams'));
    const timer = setTimeout(() => done(new PodctlError('TIMEOUT', `the client did not open the streams ${types.join(', ')} within ${timeoutMs / 1000} s`)), timeoutMs);
    session.on('stream', onStream);
    session.once('close', onClose);
  });
}

/** Ends each stream's writing side and waits until the ends are queued on the connection. */
export function endAll(streams: SpdyStream[]): Promise<void> {
  return Promise.all(streams.map((s) => (s.writableEnded || s.destroyed ? undefined : new Promise<void>((resolve) => s.end(() => resolve()))))).then(() => undefined);
}
