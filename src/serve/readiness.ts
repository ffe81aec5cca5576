import type { Logger } from '../util/logger.js';
import { messageOf } from '../util/errors.js';

/**
 * The readiness waits serve's controllers hand over (WorkloadContext.detached): each pod's runs
 * once at a time, detached from the sync that started it; when it ends, passed or not, its
 * owner is synced again (level-triggered: the sync looks at what is true then).
 */
export class ReadinessWaits {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly requeue: (owner: string) => void,
    private readonly logger: Logger,
  ) {}

  watch(pod: string, join: () => Promise<void>, owner: string): void {
    if (this.running.has(pod)) return;
    const done = join()
      .catch((err: unknown) => this.logger.warn(`pod ${pod} is not ready: ${messageOf(err)}`))
      .finally(() => {
        this.running.delete(pod);
        this.requeue(owner);
      });
    this.running.set(pod, done);
  }

  get size(): number {
    return this.running.size;
  }
}
