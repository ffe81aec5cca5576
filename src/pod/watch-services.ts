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
 * whose container died leaves its services well within a second. Ends when `signal` aborts.
 */
export async function watchServices(source: ContainerEventSource, services: ServiceManager, logger: Logger, signal: AbortSignal, onSync: (events: number) => void = () => undefined, settleMs = 100): Promise<void> {
  await services.sync({ force: true });
  onSync(0);
  let pending = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const flush = () => {
    timer = undefined;
    const count = pending;
    pending = 0;
    running = running
      .then(() => services.sync())
      .then(() => onSync(count))
      .catch((err: unknown) => logger.warn(`service sync failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  try {
    // An abort during the first sync (long with 100 pods) is heard too: serve stops on SIGTERM.
    await source(() => {
      pending++;
      timer ??= setTimeout(flush, settleMs);
    }, signal);
  } finally {
    if (timer) clearTimeout(timer);
    await running;
  }
}
