import { appendFile, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PodView } from '../pod/status.js';
import { ensurePrivateDir, writeFileAtomic } from '../util/atomic-file.js';
import { errnoOf } from '../util/errors.js';
import { exitCodeOf } from '../docker/containers.js';

/**
 * Events as `kubectl describe` lists them. podctl has no API server to keep them, so they come
 * from two places: what the controllers did, appended to a small per-object log when they act
 * (SuccessfulCreate, Killing, ScalingReplicaSet, Unhealthy, ...), and what the one pod list
 * already says about each container (its creation time, an exit and its code). Nothing is
 * invented: a time podctl does not know shows as <unknown>.
 */
export interface KubeEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  /** The object the event is about: `pod/web-abc`, `deployment/web`. */
  object: string;
  message: string;
  /** ISO time (the last time, for an aggregated event), or undefined when only the fact is known. */
  time?: string;
  /** The source component: `deployment-controller`, `job-controller`, `kubelet`. */
  from: string;
  /** How many identical events this one stands for (Kubernetes' count; 1 when absent). */
  count?: number;
  /** The first of them (Kubernetes' firstTimestamp), when count > 1. */
  firstTime?: string;
}

/**
 * Identical events (type, reason, object, message, source) folded into one with a count and
 * its first and last time, as Kubernetes' event recorder aggregates them: a crash loop's
 * hundredth BackOff is one line "(x100 over 10m)", not a hundred. Each stands where it first
 * appeared.
 */
export function aggregateEvents(events: KubeEvent[]): KubeEvent[] {
  const byKey = new Map<string, KubeEvent>();
  for (const e of events) {
    const key = JSON.stringify([e.type, e.reason, e.object, e.message, e.from]);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...e });
      continue;
    }
    const first = [seen.firstTime ?? seen.time, e.firstTime ?? e.time].filter((t): t is string => t !== undefined).sort()[0];
    const last = [seen.time, e.time].filter((t): t is string => t !== undefined).sort().at(-1);
    byKey.set(key, { ...seen, count: (seen.count ?? 1) + (e.count ?? 1), ...(first ? { firstTime: first } : {}), ...(last ? { time: last } : {}) });
  }
  return [...byKey.values()];
}

/** Kept per object: enough for describe, never growing without bound. */
const KEEP = 100;
const TRIM_BYTES = 64 * 1024;

export class EventLog {
  constructor(private readonly stateDir: string) {}

  private path(kind: string, namespace: string, name: string): string {
    return join(this.stateDir, 'events', kind.toLowerCase(), `${namespace}_${name}.jsonl`);
  }

  /**
   * One line per event, appended (O_APPEND: whole short lines from concurrent writers do not
   * interleave). The controllers write under their workload lock, which is also when the
   * log is cut back to its last KEEP lines.
   */
  async record(kind: string, namespace: string, name: string, events: Array<Omit<KubeEvent, 'time'> & { time?: string }>): Promise<void> {
    if (events.length === 0) return;
    const path = this.path(kind, namespace, name);
    await ensurePrivateDir(join(this.stateDir, 'events', kind.toLowerCase()));
    const now = new Date().toISOString();
    await appendFile(path, events.map((e) => JSON.stringify({ time: now, ...e }) + '\n').join(''), { mode: 0o600 });
    if ((await stat(path)).size > TRIM_BYTES) await writeFileAtomic(path, (await this.read(kind, namespace, name)).map((e) => JSON.stringify(e) + '\n').join(''));
  }

  async read(kind: string, namespace: string, name: string): Promise<KubeEvent[]> {
    let text: string;
    try {
      text = await readFile(this.path(kind, namespace, name), 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return [];
      throw err;
    }
    // A line cut by a crash mid-append is skipped, not fatal.
    const parsed = text.split('\n').flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as KubeEvent] : [];
      } catch {
        return [];
      }
    });
    return aggregateEvents(parsed).slice(-KEEP);
  }

  /** Every object's log in `namespace` (all when undefined), each read as `read` reads one. */
  async readAll(namespace?: string): Promise<Array<{ namespace: string; events: KubeEvent[] }>> {
    const root = join(this.stateDir, 'events');
    const kinds = await readdir(root).catch((err: unknown) => {
      if (errnoOf(err) === 'ENOENT') return [] as string[];
      throw err;
    });
    const logs = await Promise.all(
      kinds.map(async (kind) => {
        const files = await readdir(join(root, kind)).catch(() => [] as string[]);
        // `<ns>_<name>.jsonl`: neither a namespace nor a name may hold `_`.
        const wanted = files.filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -'.jsonl'.length).split('_') as [string, string]).filter(([ns]) => namespace === undefined || ns === namespace);
        return Promise.all(wanted.map(async ([ns, name]) => ({ namespace: ns, events: await this.read(kind, ns, name) })));
      }),
    );
    return logs.flat();
  }

  async remove(kind: string, namespace: string, name: string): Promise<void> {
    await rm(this.path(kind, namespace, name), { force: true });
  }
}

/**
 * What a pod's containers say, from the pod list (no extra Docker call): each app container's
 * creation, and for one that ended, how (137 is a SIGKILL, as kubectl's OOMKilled/Killed reasons
 * tell apart only with more than the list has). Docker's list gives no start or exit time.
 */
export function containerEvents(view: PodView): KubeEvent[] {
  const out: KubeEvent[] = [];
  for (const c of view.containers.filter((x) => x.role === 'app')) {
    const object = `pod/${view.name}`;
    out.push({ type: 'Normal', reason: 'Created', object, message: `Created container ${c.name} (${c.image})`, time: view.created, from: 'kubelet' });
    if (c.state === 'running') out.push({ type: 'Normal', reason: 'Started', object, message: `Started container ${c.name}: ${c.status}`, from: 'kubelet' });
    const code = exitCodeOf(c.status);
    if (code !== undefined) {
      const how = code === 0 ? 'Completed' : code === 137 ? 'Killed' : 'Failed';
      out.push({ type: code === 0 ? 'Normal' : 'Warning', reason: how, object, message: `Container ${c.name} ${c.status.toLowerCase()}`, from: 'kubelet' });
    } else if (c.state === 'restarting') {
      out.push({ type: 'Warning', reason: 'BackOff', object, message: `Back-off restarting container ${c.name}: ${c.status}`, from: 'kubelet' });
    }
  }
  return out;
}

/** kubectl's "Age" of an event: 5s, 3m12s, 2h; <unknown> when only the fact is known. */
export function eventAge(time: string | undefined, now: number): string {
  const t = time ? Date.parse(time) : NaN;
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 3 * 3600) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** The `Events:` block of describe: oldest first (unknown times last), as kubectl prints it. */
export function formatEvents(events: KubeEvent[], now = Date.now()): string[] {
  if (events.length === 0) return ['Events:       <none>'];
  const at = (e: KubeEvent) => (e.time ? Date.parse(e.time) : Infinity);
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => at(a.e) - at(b.e) || a.i - b.i).map((x) => x.e);
  const age = (e: KubeEvent) => ((e.count ?? 1) > 1 ? `${eventAge(e.time, now)} (x${e.count} over ${eventAge(e.firstTime, now)})` : eventAge(e.time, now));
  const rows = [['Type', 'Reason', 'Age', 'From', 'Message'], ['----', '------', '----', '----', '-------'], ...sorted.map((e) => [e.type, e.reason, age(e), e.from, `${e.object}: ${e.message}`])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return ['Events:', ...rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`)];
}
