import { uptimeBounds } from './pause-health.js';

/**
 * Docker's RestartCount of app containers for `get pods` (kubectl's RESTARTS), remembered per
 * container id so a long-lived reader (serve's API) inspects a container again only when it may
 * have restarted since, instead of once per container and request.
 *
 * Why the uptime and not Docker's events: every restart (Docker's restart policy, serve's
 * kubelet, a liveness stop and start, `docker restart`) starts the container anew, which resets
 * the uptime the list already carries ("Up 5 minutes"). The rule needs no subscription, so it
 * holds in any process and has no window between a restart and its event.
 */

/** Docker's RestartCount as one inspect saw it, and when that inspect was sent (ms since the epoch). */
export interface InspectedCount {
  count: number;
  at: number;
}

/**
 * The count still holds when the container has been up without a break since before the
 * inspect was sent: its uptime's lower bound (from the list's status text, read before `now`)
 * reaches back at least as far as the inspect's age. A container not up ("Exited", "Restarting")
 * has no uptime: its count is read again.
 */
export function countStillHolds(seen: InspectedCount, status: string, now: number): boolean {
  const up = uptimeBounds(status);
  return up !== undefined && up.lower * 1000 >= now - seen.at;
}

/** How many containers the cache remembers: beyond it, those inspected longest ago go first (and are inspected again if needed). */
const REMEMBERED = 10_000;

export class RestartCounts {
  private readonly seen = new Map<string, InspectedCount>();

  constructor(
    /** Docker's RestartCount of a container, undefined when it is gone. */
    private readonly inspectCount: (id: string) => Promise<number | undefined>,
    private readonly now: () => number = Date.now,
    private readonly remembered = REMEMBERED,
  ) {}

  /** Docker's RestartCount of container `id` whose list status is `status`: remembered when it still holds, else inspected. */
  async dockerCount(id: string, status: string): Promise<number> {
    const cached = this.seen.get(id);
    if (cached && countStillHolds(cached, status, this.now())) return cached.count;
    const at = this.now();
    const count = await this.inspectCount(id);
    this.seen.delete(id);
    if (count === undefined) return 0;
    this.seen.set(id, { count, at });
    if (this.seen.size > this.remembered) this.seen.delete(this.seen.keys().next().value!);
    return count;
  }
}
