import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { endpointsManifest, serviceManifest } from '../kube/kinds/service-output.js';
import type { ChangeFeed } from '../kube/objects/change-feed.js';
import type { Change } from '../kube/objects/change-log.js';
import type { KubeObject, ObjectStore } from '../kube/objects/store.js';
import { listObjects } from '../kube/kinds/read-objects.js';
import { openWorkloadContext } from '../kube/kinds/workload-context.js';
import { podManifests } from '../kube/pod-manifests.js';
import { endpointsTable, objectTable, podTable, serviceTable } from '../kube/tables.js';
import type { PodManager } from '../pod/manager.js';
import { DEFAULT_NAMESPACE } from '../pod/spec.js';
import type { PodView } from '../pod/status.js';
import { ensurePrivateDir } from '../util/atomic-file.js';
import { messageOf } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { diffObserved, observedKey, podViewPrint, type Observed } from './observed-diff.js';

/** The kinds the API serves from what serve observes rather than from store records. */
export const OBSERVED_KINDS = ['Pod', 'Service', 'Endpoints'] as const;

/**
 * A Deployment's ReplicaSets are computed from its record and its pods when read (read-objects.ts),
 * not stored; serve observes them too. A ReplicaSet that is a record of its own (applied as such,
 * or left by an orphaning delete) is logged by the store's writes.
 */
const COMPUTED = 'ReplicaSet';

/** A burst of triggers (a pod's containers starting, its checkpoint rewritten) is looked at once, this long after the first. */
const SETTLE_MS = 25;
/** Everything looked at again this often: what no trigger announced (a readiness seen by another process). */
const RESCAN_MS = 10_000;

/**
 * Pods, Services and Endpoints are not records of the object store: Docker and the pods'
 * checkpoints hold pods, the Service proxy its records. For watches, serve turns what it
 * observes of them into changes of the store's one log (`ObjectStore.observe`): each change gets
 * the next resourceVersion, so pods and records share one order, one history and one resume.
 *
 * It looks again at a pod when Docker reports one of its containers (serve passes the events
 * on) or its checkpoint is written (inotify on the pods folder: phases, readiness, back-off), at
 * the Services when their records change or a pod was looked at, and at everything every 10 s.
 * A look compares the object and its Table row (without AGE) with the last logged; only a
 * difference is logged. At start the last logged state comes from the change log: what is
 * unchanged keeps its resourceVersion, what changed while serve was down is logged as changed.
 */
export class ObservedObjects {
  private readonly known = new Map<string, Observed>();
  /** Each pod's view when its object was last built: a look at every pod builds again only those whose view moved. */
  private readonly viewPrints = new Map<string, string>();
  private readonly pendingPods = new Set<string>();
  private pendingAll = false;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> = Promise.resolve();
  private readonly watchers = new Set<FSWatcher>();
  private rescan: NodeJS.Timeout | undefined;
  private unsubscribe: () => void = () => undefined;
  private closed = false;

  constructor(
    private readonly pods: PodManager,
    private readonly store: ObjectStore,
    private readonly logger: Logger,
  ) {}

  /** Takes the last logged state from the feed's history, then looks at everything (in the background) and follows. */
  async start(feed: ChangeFeed): Promise<void> {
    // A stored ReplicaSet's changes are its record's, not observed ones.
    for (const c of feed.lastChanges()) if ((OBSERVED_KINDS as readonly string[]).includes(c.object.kind) || (c.object.kind === COMPUTED && c.observed)) this.known.set(observedKey(c.object), { object: c.object, row: c.row ?? [] });
    // A Deployment's spec or record changing changes its ReplicaSets before any of its pods does.
    this.unsubscribe = feed.subscribe(feed.last, (e) => {
      if (e.object.kind === 'Deployment') this.schedule();
    });
    await this.watchDir(join(this.pods.stateDir, 'services'), false);
    await this.watchDir(join(this.pods.stateDir, 'pods'), true);
    this.rescan = setInterval(() => this.trigger(), RESCAN_MS);
    this.rescan.unref();
    this.trigger();
  }

  /**
   * Wakes on changes under `dir`. Node's recursive watch adds a watch per pod folder and fails
   * when one goes while it is being added (a pod removed at once): it is then made again and
   * everything looked at.
   */
  private async watchDir(dir: string, recursive: boolean): Promise<void> {
    await ensurePrivateDir(dir);
    const w = watch(dir, { recursive }, (_event, file) => {
      if (!recursive) return this.trigger();
      const m = /^([^_/]+)_([^/]+)(?:\/checkpoint\.json)?$/.exec(String(file ?? ''));
      if (m) this.trigger(m[1], m[2]);
    });
    this.watchers.add(w);
    w.on('error', (err) => {
      this.logger.debug(`api: watching ${dir}: ${err.message}; watching again`);
      w.close();
      this.watchers.delete(w);
      if (this.closed) return;
      this.trigger();
      void this.watchDir(dir, recursive).catch((e: unknown) => this.logger.warn(`api: watching ${dir}: ${messageOf(e)}`));
    });
  }

  /** A pod changed (a Docker event of one of its containers); no names: look at everything. */
  trigger(namespace?: string, name?: string): void {
    if (this.closed) return;
    if (namespace === undefined || name === undefined) this.pendingAll = true;
    else this.pendingPods.add(`${namespace}/${name}`);
    this.schedule();
  }

  /** A look soon (after any in progress): at the pods pending, the Services and the computed ReplicaSets. */
  private schedule(): void {
    if (this.closed) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.scanning = this.scanning.then(() => this.scan()).catch((err: unknown) => this.logger.warn(`api: looking at pods and services: ${messageOf(err)}`));
    }, SETTLE_MS);
  }

  /** The resourceVersion of what was last logged for an observed object (a read stamps it). */
  versionOf(kind: string, namespace: string | undefined, name: string): string | undefined {
    return this.known.get(observedKey({ kind, metadata: { name, namespace } }))?.object.metadata.resourceVersion;
  }

  /**
   * Looks at one pod (or, for a Service, at the Services) now, after any look in progress, and
   * gives the resourceVersion it was last logged with: what an API write checks a client's
   * version against, and what its answer carries (the change it made is logged before it answers).
   */
  async lookNow(kind: 'Pod' | 'Service', namespace: string, name: string): Promise<string | undefined> {
    if (kind === 'Pod') this.pendingPods.add(`${namespace}/${name}`);
    const look = this.scanning.then(() => this.scan());
    this.scanning = look.catch((err: unknown) => this.logger.warn(`api: looking at pods and services: ${messageOf(err)}`));
    await look;
    return this.versionOf(kind, namespace, name);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.timer);
    clearInterval(this.rescan);
    for (const w of this.watchers) w.close();
  }

  private async scan(): Promise<void> {
    const all = this.pendingAll;
    const names = [...this.pendingPods];
    this.pendingAll = false;
    this.pendingPods.clear();
    if (this.closed) return;
    const views = all ? await this.pods.list({ all: true }) : (await Promise.all(names.map((n) => { const [namespace, name] = n.split('/'); return this.pods.list({ namespace, name, all: true }); }))).flat();
    const { observed, unread } = await this.observePods(views, !all);
    // A pod that could not be read now (its checkpoint being written) is neither changed nor gone.
    const scope = (all ? [...this.known.keys()].filter((k) => k.startsWith('Pod/')) : names.map((n) => `Pod/${n}`)).filter((k) => !unread.has(k));
    await this.log(diffObserved(this.known, observed, 'Pod', scope));
    const services = await this.pods.services.list();
    const svc = services.map((s) => ({ object: serviceManifest(s) as unknown as KubeObject, row: serviceTable([s]).rows[0]! }));
    const eps = services.map((s) => ({ object: endpointsManifest(s) as unknown as KubeObject, row: endpointsTable([s]).rows[0]! }));
    await this.log([...diffObserved(this.known, svc, 'Service'), ...diffObserved(this.known, eps, 'Endpoints')]);
    await this.log(diffObserved(this.known, await this.computedReplicaSets(), COMPUTED));
  }

  /**
   * Every Deployment's ReplicaSets as a read shows them now (no Deployment: none, and no pod list).
   * One that became a record of its own is the store's from then on: forgotten here, not deleted.
   */
  private async computedReplicaSets(): Promise<Observed[]> {
    const deployments = (await this.store.list('Deployment')).length;
    if (deployments === 0 && ![...this.known.keys()].some((k) => k.startsWith(`${COMPUTED}/`))) return [];
    const stored = new Set((await this.store.list(COMPUTED)).map(observedKey));
    for (const key of stored) this.known.delete(key);
    if (deployments === 0) return [];
    const all = await listObjects(await openWorkloadContext(this.pods, DEFAULT_NAMESPACE), COMPUTED, undefined);
    return all.filter((o) => !stored.has(observedKey(o))).map((o) => ({ object: o, row: objectTable(COMPUTED, [o]).rows[0]! }));
  }

  /**
   * Each pod as the API shows it and its `get pods` row; a pod that went while it was read is
   * left to the next look. Unless `rebuild`, a known pod whose view has not moved is taken as
   * last logged (building an object takes an inspect: a look at 100 pods every 10 s costs one list).
   */
  private async observePods(views: PodView[], rebuild: boolean): Promise<{ observed: Observed[]; unread: Set<string> }> {
    const observed: Observed[] = [];
    const unread = new Set<string>();
    if (views.length === 0) return { observed, unread };
    const net = await this.pods.defaultNetwork();
    for (const view of views) {
      const key = `Pod/${view.namespace}/${view.name}`;
      const print = podViewPrint(view);
      const known = this.known.get(key);
      if (!rebuild && known && this.viewPrints.get(key) === print) {
        observed.push(known);
        continue;
      }
      try {
        const [object] = await podManifests(this.pods, [view], net);
        // A pod removed between the list and its inspect has no manifest: the next look says it is gone.
        if (!object) {
          unread.add(key);
          continue;
        }
        await this.pods.countRestarts([view]);
        observed.push({ object: object as unknown as KubeObject, row: podTable([view]).rows[0]! });
        this.viewPrints.set(key, print);
      } catch (err) {
        unread.add(key);
        this.logger.debug(`api: pod ${view.namespace}/${view.name} not observed now: ${messageOf(err)}`);
      }
    }
    return { observed, unread };
  }

  private async log(changes: Array<Omit<Change, 'rv'>>): Promise<void> {
    for (const c of changes) {
      const logged = await this.store.observe(c.type, c.object, c.row);
      const key = observedKey(logged);
      if (c.type === 'DELETED') {
        this.known.delete(key);
        this.viewPrints.delete(key);
      } else this.known.set(key, { object: logged, row: c.row ?? [] });
    }
  }
}
