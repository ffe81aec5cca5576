import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkQueue, runWorkers } from '../controllers/queue.js';
import { keyOf, parseKey } from '../controllers/keys.js';
import { watchObjectChanges } from '../controllers/object-watch.js';
import { parsePodEvents } from '../controllers/pod-events.js';
import { WorkloadControllers, type RecordReader } from '../controllers/workloads.js';
import { WORKLOAD_KINDS } from '../kube/kinds/workloads.js';
import { ChangeFeed } from '../kube/objects/change-feed.js';
import { ObjectStore } from '../kube/objects/store.js';
import type { PodManager } from '../pod/manager.js';
import type { PodView } from '../pod/status.js';
import { isPodctlError, messageOf } from '../util/errors.js';
import { coalesce } from '../util/coalesce.js';
import { SERVICE_EVENTS, type ContainerEventSource } from '../pod/watch-services.js';
import { followUntilAborted, type FollowedStream } from '../util/follow-stream.js';
import type { Logger } from '../util/logger.js';
import { ReadinessWaits } from './readiness.js';
import { serveApi, type RunningApi } from '../api/index.js';
import type { ListenAddress } from '../api/listen.js';

export interface ServeOptions {
  pods: PodManager;
  logger: Logger;
  /** Aborting it stops serve; the pods keep running. */
  signal: AbortSignal;
  /** Records a failed liveness probe in the owner's events (the CLI's recorder). */
  onUnhealthy?: (pod: PodView, container: string, message: string) => Promise<void>;
  /** Every workload synced again this often (ms). */
  resyncMs?: number;
  /** The Services table checked against the kernel this often (ms). */
  tableCheckMs?: number;
  workers?: number;
  /** Where the Kubernetes API listens (HTTPS); none when undefined. */
  api?: ListenAddress;
  /** Called once everything watches and the first resync is queued. */
  onReady?: () => void;
}

/** Docker events that can change what a controller or the kubelet must do. */
const ENGINE_EVENTS = ['start', 'die', 'destroy', 'oom', 'health_status'];
/** serve follows one event stream for both: the controllers' events and the Services loop's. */
const FOLLOWED_EVENTS = [...new Set([...ENGINE_EVENTS, ...SERVICE_EVENTS])];
/** A sync that failed because the engine is away (a dockerd restart) is tried again after this, with no backoff of its own. */
const ENGINE_AWAY_RETRY_MS = 1000;
/** A died app container is looked at a little later: a liveness restart (stop, start) is not a death. */
const KUBELET_DELAY_MS = 300;
/** How long a stop waits for syncs in progress before leaving them (their pods stay; gc or the next serve converge). */
const STOP_GRACE_MS = 6000;
/** How long a stop gives Docker's restart policies back (stop must end within 10 s). */
const HAND_BACK_MS = 2500;
/** A pod in back-off is looked at this long after its delay ends, so the delay has surely passed. */
const BACKOFF_SLACK_MS = 50;

/**
 * `podctl serve`: the one long-running owner of the desired state on this host. One work queue
 * feeds the controllers (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job) and the kubelet's
 * restarts of ended containers; keys come from the object store's watch, Docker's events and
 * a periodic resync. kube-proxy's part: `watchServices` keeps endpoints following the pods
 * (and runs liveness probes), and the table is checked against the kernel every
 * `tableCheckMs` and after each burst of events. The caller holds serve's host lock.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const { pods, logger, signal } = options;
  const store = new ObjectStore(pods.stateDir);
  const queue = new WorkQueue({ baseDelayMs: 250, maxDelayMs: 60_000 });
  const readiness = new ReadinessWaits((key) => queue.add(key), logger);
  // App containers serve has looked at; on those of pods whose restarts it owns, Docker's policy is off.
  const held = new Set<string>();
  const controllers = new WorkloadControllers(pods, store, readiness, (key, line) => logger.info(`${key}: ${line}`));

  // A running pod whose readiness is not known (a container serve restarted, a wait whose
  // command was killed) is probed until it passes, as the kubelet keeps probing; its owner (the
  // pod itself when none) is synced when the wait ends, passed or not.
  const probeUntilReady = async (namespace: string, name: string, key: string): Promise<void> => {
    const [view] = await pods.list({ namespace, name, all: true });
    if (view?.state !== 'running' || !view.awaitingReady) return;
    const owner = controllers.ownersOf(namespace, view.labels)[0] ?? key;
    readiness.watch(name, () => pods.joinWhenReady(view, { timeoutMs: controllers.readyTimeoutMs }), owner);
  };

  // A pod whose sandbox died is the kubelet's to make again, unless a controller owns it: that
  // one restarts or replaces it (kube/controllers/recovery.ts), and two would race.
  const controlled = (v: PodView) => v.ownerReferences?.some((r) => r.controller) === true || controllers.ownersOf(v.namespace, v.labels).length > 0;

  const sync = async (key: string): Promise<void> => {
    const { kind, namespace, name } = parseKey(key);
    if (kind === 'Pod') {
      const [view] = await pods.list({ namespace, name, all: true });
      if (view?.sandboxDied && !controlled(view) && (await pods.recreateSandbox(view))) logger.info(`pod ${namespace}/${name}: its sandbox was gone; made a new one`);
      const { started, retryInMs, awaitingReady } = await pods.kubeletSync({ name, namespace }, { held });
      for (const c of started) logger.info(`pod ${namespace}/${name}: container ${c} had ended; started again`);
      if (retryInMs !== undefined) {
        logger.info(`pod ${namespace}/${name}: back-off, restart in ${Math.ceil(retryInMs / 1000)} s`);
        queue.addAfter(key, retryInMs + BACKOFF_SLACK_MS);
      }
      if (awaitingReady) await probeUntilReady(namespace, name, key);
      return;
    }
    const started = Date.now();
    const result = await controllers.sync(key, currentRecord);
    logger.debug(`synced ${key} in ${Date.now() - started} ms`);
    if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
  };

  // The feed can hear of a change before its writer has written the record (the log line is
  // the commit, the record follows): a sync then would act on the record as it was (a created
  // Deployment looked absent, and its pods waited for the next resync). A record behind the
  // log waits for the write in progress.
  const currentRecord: RecordReader = async (kind, namespace, name) => {
    const record = await store.get(kind, namespace, name);
    const logged = feed.lastChangeOf(keyOf({ kind, namespace, name }));
    const recordRv = Number(record?.metadata.resourceVersion ?? 0);
    // (A deletion logged and no record left: not behind. An observed change has no record.)
    const behind = logged !== undefined && !logged.observed && recordRv < logged.rv && (record !== undefined || !logged.deleted);
    if (!behind) return record;
    await store.settle();
    return store.get(kind, namespace, name);
  };

  const resync = async () => {
    for (const key of await controllers.keys()) queue.add(key);
    // Pods whose owner went while no sync saw it go (serve was down, the key's sync failed);
    // aside, as their grace periods run.
    void controllers.collectGarbage().then(
      (pods) => pods.forEach((pod) => logger.info(`pod ${pod} deleted: its owner is gone`)),
      (err: unknown) => logger.warn(`garbage collection failed: ${messageOf(err)}`),
    );
    // Containers that ended while no event reached serve (it was not running, the stream broke),
    // and app containers whose restarts serve has not taken over from Docker yet.
    for (const v of await pods.list({ all: true })) {
      const unseen = v.containers.some((c) => c.role === 'app' && !held.has(c.id));
      if ((v.state === 'degraded' && v.pause.state === 'running') || v.sandboxDied || (unseen && v.state !== 'removing')) queue.add(keyOf({ kind: 'Pod', namespace: v.namespace, name: v.name }));
    }
  };

  // One check at a time; one asked for meanwhile runs after it (the table may have gone after
  // the running check listed it: skipping would leave it gone until the next tick).
  const checkTable = coalesce(async () => {
    try {
      if (await pods.services.repairDrift()) logger.warn('the Services table was gone or changed behind podctl; rewritten');
    } catch (err) {
      logger.warn(`Services table check failed: ${messageOf(err)}`);
    }
  }, () => signal.aborted);

  // What a serve or command killed mid-write left of a record write (the record itself is whole).
  for (const file of await store.strayWrites()) await rm(file, { force: true }).catch(() => undefined);
  // Every store change, whichever process wrote it, in order (the change log); the API's watches read the same feed.
  // PODCTL_WATCH_HISTORY: how many changes a watch can resume across (the API server's watch cache; tests make it small).
  const history = Number(process.env.PODCTL_WATCH_HISTORY) || undefined;
  const feed = await ChangeFeed.open(join(pods.stateDir, 'objects'), { initialFloor: Number(await store.resourceVersion()), maxChanges: history }, (err) => logger.warn(`object store watch: ${messageOf(err)}`));
  const watch = watchObjectChanges(feed, WORKLOAD_KINDS, (key) => queue.add(key));
  const timers: NodeJS.Timeout[] = [];
  let api: RunningApi | undefined;
  const workers = runWorkers(queue, options.workers ?? 4, sync, (key, err, retryMs) => logger.warn(`sync ${key} failed: ${messageOf(err)}; again in ${retryMs} ms`), {
    retryWithoutBackoffMs: (err) => (isPodctlError(err, 'UNAVAILABLE') ? ENGINE_AWAY_RETRY_MS : undefined),
  });
  // The Services loop hears the same stream as the controllers: one stream from Docker, not two.
  const serviceListeners = new Set<(line: string) => void>();
  const serviceEvents: ContainerEventSource = async (onLine, sig) => {
    serviceListeners.add(onLine);
    try {
      await new Promise<void>((resolve) => (sig.aborted ? resolve() : sig.addEventListener('abort', () => resolve(), { once: true })));
    } finally {
      serviceListeners.delete(onLine);
    }
  };
  let followedBefore = false;
  try {
    await resync();
    timers.push(setInterval(() => void resync().catch((err: unknown) => logger.warn(`resync failed: ${messageOf(err)}`)), options.resyncMs ?? 30_000));
    timers.push(setInterval(() => void checkTable(), options.tableCheckMs ?? 30_000));
    await checkTable();
    if (options.api) api = await serveApi(pods, logger, options.api, feed);
    const loops = [
      untilAborted(signal, logger, 'Docker events', () => followEvents(pods, signal, () => {
        // Following again after the stream broke (a dockerd restart): what failed while the
        // engine was away failed through no fault of its own, and events were missed.
        if (followedBefore) {
          queue.forgetAll();
          void resync().catch((err: unknown) => logger.warn(`resync failed: ${messageOf(err)}`));
        }
        followedBefore = true;
      }, (line) => {
        for (const listener of serviceListeners) listener(line);
        for (const e of parsePodEvents(line)) {
          if (!ENGINE_EVENTS.includes(e.action)) continue;
          const podKey = keyOf({ kind: 'Pod', namespace: e.namespace, name: e.pod });
          if (e.role === 'app' && e.action === 'start') queue.add(podKey);
          if (e.role === 'app' && (e.action === 'die' || e.action === 'oom')) queue.addAfter(podKey, KUBELET_DELAY_MS);
          // A pause that died or went: the kubelet makes a bare pod a new sandbox.
          if (e.role === 'pause' && (e.action === 'die' || e.action === 'destroy')) queue.addAfter(podKey, KUBELET_DELAY_MS);
          for (const key of controllers.ownersOf(e.namespace, e.labels)) queue.add(key);
          api?.podChanged(e.namespace, e.pod);
        }
      })),
      untilAborted(signal, logger, 'Services', () => pods.watchServices(signal, () => void checkTable(), options.onUnhealthy, serviceEvents)),
    ];
    logger.info(`serve: ready; ${queue.length} workload(s) queued, resync every ${(options.resyncMs ?? 30_000) / 1000} s`);
    options.onReady?.();
    await Promise.all(loops);
  } finally {
    for (const t of timers) clearInterval(t);
    await api?.close();
    watch.close();
    feed.close();
    queue.shutDown();
    const left = await Promise.race([workers.then(() => false), sleep(STOP_GRACE_MS, true, { ref: false })]);
    if (left) logger.warn('serve: stopped with syncs still in progress; the next serve or command converges them');
    const handedBack = await Promise.race([handBack(pods, held, logger).then(() => true), sleep(HAND_BACK_MS, false, { ref: false })]);
    if (!handedBack) logger.warn("serve: stopped before every container had Docker's restart policy back; those keep it off until a serve runs again");
  }
}

/**
 * Without serve, Docker's restart policy heals the pods again: serve gives it back to the
 * containers it held, and starts those it kept waiting in back-off (Docker starts no
 * container that has already ended).
 */
async function handBack(pods: PodManager, held: Set<string>, logger: Logger): Promise<void> {
  const views = (await pods.list({ all: true })).filter((v) => v.containers.some((c) => held.has(c.id)));
  await Promise.all(
    views.map(async (v) => {
      try {
        await pods.releaseRestarts(v, held);
        await pods.kubeletSync(v, { ignoreBackOff: true });
      } catch (err) {
        logger.warn(`pod ${v.namespace}/${v.name}: restart policy not handed back to Docker: ${messageOf(err)}`);
      }
    }),
  );
}

/** Runs `fn` again after it fails (Docker restarted, its stream broke) until `signal` aborts. */
async function untilAborted(signal: AbortSignal, logger: Logger, what: string, fn: () => Promise<void>): Promise<void> {
  while (!signal.aborted) {
    try {
      await fn();
    } catch (err) {
      if (signal.aborted) return;
      logger.warn(`${what}: ${messageOf(err)}; following again in 1 s`);
      await sleep(1000, undefined, { ref: false }).catch(() => undefined);
    }
  }
}

/** Follows Docker's events of podctl's containers, one line each, until `signal` aborts; rejects when the stream ends otherwise. */
async function followEvents(pods: PodManager, signal: AbortSignal, onFollowing: () => void, onLine: (line: string) => void): Promise<void> {
  const stream = await pods.podEvents(FOLLOWED_EVENTS);
  onFollowing();
  const lines = createInterface({ input: stream as NodeJS.ReadableStream });
  lines.on('line', onLine);
  // readline passes its input's errors on; followUntilAborted hears them on the stream itself,
  // and an unheard 'error' would end serve.
  lines.on('error', () => undefined);
  await followUntilAborted(stream as FollowedStream, signal);
}
