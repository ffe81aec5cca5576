import type { DockerContainers } from '../docker/containers.js';
import type { ServiceManager } from '../service/services.js';
import type { Logger } from '../util/logger.js';
import { followUntilAborted } from '../util/follow-stream.js';
import { LABEL } from './labels.js';

/** Container events that can change whether a pod is a ready endpoint. */
export const SERVICE_EVENTS = ['start', 'die', 'stop', 'kill', 'restart', 'destroy', 'pause', 'unpause'];

/**
 * Where the loop hears of podctl's container events: calls `onLine` with each (one JSON object
 * of Docker's stream) until `signal` aborts; rejects when the stream fails or ends.
 */
export type ContainerEventSource = (onLine: (line: string) => void, signal: AbortSignal) => Promise<void>;

/** Docker's own event stream of podctl's containers (`podctl watch`; serve passes the one stream it follows). */
export function dockerEventSource(containers: Pick<DockerContainers, 'events'>, events: string[] = SERVICE_EVENTS): ContainerEventSource {
  return async (onLine, signal) => {
    const stream = await containers.events(LABEL.pod, events);
    // One JSON object per line; a chunk may carry several.
    stream.on('data', (chunk: Buffer) => String(chunk).split('\n').filter((l) => l.trim() !== '').forEach(onLine));
    await followUntilAborted(stream, signal);
  };
}

/**
 * `podctl watch`: a foreground loop on Docker's event stream that keeps Services current
 * between podctl commands. Events of podctl's containers (label filter on the server side)
 * are coalesced: one sync per burst, at most `settleMs` after the first event of it, so a pod
 * whose container died leaves its services well within a second. The events are heard from
 * before the first (forced) sync: one that comes during it is synced after it, never lost
 * (serve's first sync comes right after a crash, while pods still change). Ends when `signal`
 * aborts; rejects when the first sync or the stream fails.
 */
export async function watchServices(source: ContainerEventSource, services: ServiceManager, logger: Logger, signal: AbortSignal, onSync: (events: number) => void = () => undefined, settleMs = 100): Promise<void> {
  let pending = 0;
  let timer: NodeJS.Timeout | undefined;
  const first = services.sync({ force: true }).then(() => onSync(0));
  let running = first.catch(() => undefined);
  const flush = () => {
    timer = undefined;
    const count = pending;
    pending = 0;
    running = running
      .then(() => services.sync())
      .then(() => onSync(count))
      .catch((err: unknown) => logger.warn(`service sync failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  // The stream ends with the first sync when that fails (the caller follows again).
  const following = new AbortController();
  const stop = () => following.abort();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  try {
    const heard = source(() => {
      pending++;
      timer ??= setTimeout(flush, settleMs);
    }, following.signal);
    // An abort during the first sync (long with 100 pods) is heard too: serve stops on SIGTERM.
    await first.catch(async (err: unknown) => {
      stop();
      await heard.catch(() => undefined);
      throw err;
    });
    await heard;
  } finally {
    signal.removeEventListener('abort', stop);
    if (timer) clearTimeout(timer);
    await running;
  }
}
