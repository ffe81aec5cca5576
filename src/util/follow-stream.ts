/** A stream that can be ended from this side (Docker's event stream). */
export type FollowedStream = NodeJS.ReadableStream & { destroy(): void };

/**
 * Waits while the caller's listeners read `stream`: resolves when `signal` aborts (the stream
 * destroyed, also when it aborted already, before this call), rejects when the stream fails or
 * ends first (dockerd stopped or restarted), so the caller can follow again.
 */
export function followUntilAborted(stream: FollowedStream, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const stop = () => {
      stream.destroy();
      resolve();
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    stream.on('error', (err: Error) => (signal.aborted ? resolve() : reject(err)));
    stream.on('end', () => (signal.aborted ? resolve() : reject(new Error('Docker closed its event stream'))));
  });
}
