import { stat } from 'node:fs/promises';

/**
 * Is the pause container still the one podctl wired? A pause restarted behind podctl's back
 * (docker restart, a restart policy) runs in a new, empty network namespace while the app
 * containers and the CNI wiring stay in the old, pinned one.
 */

/**
 * The uptime docker's "Up 5 minutes" status text allows, in seconds: at least `lower`, less
 * than `upper`. Docker floors seconds and minutes ("Up 5 seconds" is [5, 6) s) and rounds
 * hours, from which it counts days and longer: there the bounds are a unit wider.
 */
export function uptimeBounds(status: string): { lower: number; upper: number } | undefined {
  const m = /^Up (Less than a second|About a minute|About an hour|(\d+) (second|minute|hour|day|week|month|year)s?)/.exec(status);
  if (!m) return undefined;
  if (m[1] === 'Less than a second') return { lower: 0, upper: 1 };
  if (m[1] === 'About a minute') return { lower: 60, upper: 120 };
  if (m[1] === 'About an hour') return { lower: 3600, upper: 2 * 3600 };
  const unit: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 7 * 86400, month: 31 * 86400, year: 366 * 86400 };
  const n = Number(m[2]);
  const size = unit[m[3]!] ?? 1;
  return { lower: (size < 3600 ? n : n - 1) * size, upper: (n + 1) * size };
}

/** Upper bound of the uptime in docker's "Up 5 minutes" status text, in seconds. */
export const uptimeUpperBound = (status: string): number | undefined => uptimeBounds(status)?.upper;

/**
 * The cheap check `ps` can afford (no extra API call): the list's status says the pause has
 * been up for less time than since podctl started it.
 */
export function pauseRestartedBehindOurBack(status: string, startedAt: string | undefined, now = Date.now()): boolean {
  if (!startedAt) return false;
  const bound = uptimeUpperBound(status);
  const since = (now - Date.parse(startedAt)) / 1000;
  return bound !== undefined && !Number.isNaN(since) && bound + 2 < since;
}

/** The precise check: the pause process's namespace is the pinned one. */
export async function pauseInPinnedNetns(pid: number, pinPath: string): Promise<boolean> {
  try {
    const [live, pinned] = await Promise.all([stat(`/proc/${pid}/ns/net`), stat(pinPath)]);
    return live.ino === pinned.ino && live.dev === pinned.dev;
  } catch {
    return false;
  }
}
