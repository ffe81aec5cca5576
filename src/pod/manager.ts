import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { CniRuntime } from '../cni/index.js';
import { openDocker } from '../docker/client.js';
import { collectOutput, DockerContainers, type ContainerSummary, type OutputSink } from '../docker/containers.js';
import { endpointOf } from '../docker/engine.js';
import { DockerVolumes } from '../docker/volumes.js';
import { ensureImages, imageExists, imageUser, pullImage, type PullEvent } from '../docker/images.js';
import { NetnsPins } from '../netns/pins.js';
import { PodctlError, messageOf } from '../util/errors.js';
import { acquireFileLock, tryFileLock, withFileLock } from '../util/file-lock.js';
import { childLogger, silentLogger, type Logger } from '../util/logger.js';
import { cniCacheDir, defaultCniConfDir, defaultCniPath, defaultStatePaths, lockDir, type StatePaths } from '../util/paths.js';
import { runCommand, runQuiet } from '../util/run-command.js';
import { PodStore, type PodCheckpoint } from './checkpoint.js';
import type { PodDeps } from './context.js';
import { preparePod } from './prepare.js';
import { createContainers, createPause, createPod, createSandbox, needsPodIP } from './create-pod.js';
import { settleAll } from '../util/settle.js';
import { materializeVolumes } from './volumes.js';
import { collectGarbage, type GcAction, type GcOptions } from './gc.js';
import { ALL_PODS_FILTER, LABEL, podFilter } from './labels.js';
import { formatPodRef, pathKey, type PodRef } from './naming.js';
import { POD_CONCURRENCY, type OwnerRef, type PodSpec } from './spec.js';
import { startContainers, startPod, startSandbox } from './start-pod.js';
import { filterViews, podView, podViews, sandboxDied, type ListFilter, type PodView } from './status.js';

export type { ListFilter } from './status.js';
import { StepRunner, withRollback, type StepTiming } from './steps.js';
import { pauseInPinnedNetns } from './pause-health.js';
import { releaseNetworks, removeContainers, removePod, stopPod } from './teardown.js';
import { waitForPod, type WaitSpec } from './wait.js';
import type { ContainerEventSource } from './watch-services.js';
import type { ForwardEvents, ForwardedPort, PodDialer, PortForward } from './port-forward.js';
import { attachInPod, execInPod, podLogs, type ExecResult, type PodAttachOptions, type PodExecOptions, type PodLogsOptions } from './container-io.js';
import { hasProbes, waitForProbes } from './probe-wait.js';
import { ServiceManager } from '../service/services.js';
import { parseNodePortAddresses } from '../service/nodeport-addresses.js';
import type { NodePortAddresses } from '../service/types.js';
import { bridgeOf, servicePods } from './service-pods.js';
import type { ProxyPod } from '../service/proxy.js';
import { discardSandbox, fillSandbox, prepareSandbox, type PreparedSandbox } from './sandbox-ahead.js';
import { containerRestarts, engineRestartPolicy, withRestart } from './restarts.js';
import { judgeEnd, kubeletOwnsRestarts, kubeletRestarts, terminationOf } from './backoff.js';

/** How long the readiness wait after a liveness restart probes (the next one or serve's resync starts over). */
const LIVENESS_READY_TIMEOUT_MS = 60_000;

export interface PodManagerOptions {
  cniConfDir?: string;
  cniPath?: string;
  /** Kill a plugin that has not answered after this long (default 60 s). */
  pluginTimeoutMs?: number;
  paths?: StatePaths;
  logger?: Logger;
  docker?: Dockerode;
  /** Live display of image pulls. */
  onPull?: (event: PullEvent) => void;
  /** The ClusterIP range (default $PODCTL_SERVICE_CIDR or 10.96.0.0/16). */
  serviceCidr?: string;
  /**
   * Where NodePorts also answer to anyone, not only to the host and pods on 127.0.0.1 and the
   * bridge: 'all' local addresses, or those in these IPv4 prefixes ($PODCTL_NODEPORT_ADDRESSES).
   */
  nodePortAddresses?: NodePortAddresses;
  /** Called with each finished step of an operation (`podctl --timings`). */
  onStep?: (timing: StepTiming) => void;
}

/** What serve's kubelet pass over one pod did (PodManager.kubeletSync). */
export interface KubeletSyncResult {
  /** The app containers it started again. */
  started: string[];
  /** When the earliest back-off still running ends (ms from now). */
  retryInMs?: number;
  /** The pod runs and awaits readiness (its probes must pass; see joinWhenReady). */
  awaitingReady?: boolean;
}

/**
 * The pod lifecycle on Docker + CNI. Operations on one pod are serialised across processes
 * by a per-pod file lock; different pods proceed in parallel. State is Docker labels plus a
 * per-pod checkpoint plus the CNI cache: no daemon.
 */
export class PodManager {
  /** Services of this host: every pod change below brings their rules and endpoints up to date. */
  readonly services: ServiceManager;

  private constructor(
    private readonly deps: PodDeps,
    private readonly paths: StatePaths,
    options: PodManagerOptions,
  ) {
    this.services = new ServiceManager({
      stateDir: paths.stateDir,
      runDir: paths.runDir,
      logger: deps.logger,
      pods: {
        pods: (leaving) => this.servicePods(leaving),
        network: async () => {
          const net = await deps.cni.getNetwork();
          return { name: net.name, ...bridgeOf(net) };
        },
      },
      serviceCidr: options.serviceCidr ?? process.env.PODCTL_SERVICE_CIDR,
      nodePortAddresses: options.nodePortAddresses ?? parseNodePortAddresses(process.env.PODCTL_NODEPORT_ADDRESSES),
      steps: deps.steps,
    });
    deps.services = { env: (ns) => this.services.env(ns), podFiles: (ns) => this.services.podFiles(ns), clusterDns: (network) => this.services.clusterDns(network), routesToClusterDns: (routes) => this.services.routesToClusterDns(routes), leave: (pod) => this.services.sync({ leaving: [pod] }), guardLocalnet: () => this.services.guardLocalnet() };
  }

  static async open(options: PodManagerOptions = {}): Promise<PodManager> {
    const logger = options.logger ?? silentLogger;
    const paths = options.paths ?? defaultStatePaths();
    const docker = options.docker ?? (await openDocker());
    const cni = new CniRuntime({
      confDir: options.cniConfDir ?? defaultCniConfDir(),
      cniPath: options.cniPath ?? defaultCniPath(),
      cacheDir: cniCacheDir(paths),
      lockDir: lockDir(paths),
      logger,
      ...(options.pluginTimeoutMs !== undefined ? { timeoutMs: options.pluginTimeoutMs } : {}),
    });
    const deps: PodDeps = {
      containers: new DockerContainers(docker),
      volumes: new DockerVolumes(docker),
      images: {
        exists: (image) => imageExists(docker, image),
        pull: (image) => pullImage(docker, image, options.onPull),
        user: (image) => imageUser(docker, image),
      },
      cni,
      pins: new NetnsPins(runQuiet),
      store: new PodStore(paths.stateDir, await endpointOf(docker)),
      lockPod: (ref, timeoutMs) =>
        acquireFileLock(join(lockDir(paths), `pod-${pathKey(ref)}.lock`), { what: `pod ${formatPodRef(ref)}`, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }),
      ensureImages: async (images) => {
        const { buildPauseImage, DEFAULT_PAUSE_IMAGE } = await import('../docker/pause-image.js');
        await ensureImages(docker, images, {
          onPull: options.onPull,
          logger,
          buildLocal: new Map([[DEFAULT_PAUSE_IMAGE, () => buildPauseImage(docker, DEFAULT_PAUSE_IMAGE, { logger })]]),
        });
      },
      steps: new StepRunner(logger, process.env, options.onStep),
      logger,
      host: { run: runQuiet, read: async (file, args) => (await runCommand(file, args)).stdout },
    };
    return new PodManager(deps, paths, options);
  }

  /** The network a pod joins when its spec names none: the conf dir's first. */
  async defaultNetwork(): Promise<string> {
    return (await this.deps.cni.getNetwork()).name;
  }

  /** Docker named volumes (PersistentVolumeClaims live in them). */
  get volumes(): DockerVolumes {
    return this.deps.volumes;
  }

  /**
   * Runs `fn` holding a named lock shared by every podctl process (the kube layer serialises
   * one workload's controller runs with it, as the pod lock serialises one pod's operations).
   */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.paths.runDir, 'locks', `${name}.lock`), fn, { what: name, timeoutMs: 300_000 });
  }

  /**
   * `withLock` without waiting: runs `fn` when no other process holds the lock, else returns
   * `{ ran: false }` (someone else is doing the work the lock guards).
   */
  async tryWithLock<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    await using lock = await tryFileLock(join(this.paths.runDir, 'locks', `${name}.lock`));
    return lock ? { ran: true, value: await fn() } : { ran: false };
  }

  /** Volatile state: locks (serve's among them). */
  get runDir(): string {
    return this.paths.runDir;
  }

  /** Docker's events of podctl's containers (`podctl serve`): one JSON object per line. */
  podEvents(events: string[]): Promise<NodeJS.ReadableStream & { destroy(): void }> {
    return this.deps.containers.events(LABEL.pod, events);
  }

  /** Where podctl keeps durable state (the kube layer keeps its object records there). */
  get stateDir(): string {
    return this.paths.stateDir;
  }

  /** Waits until a container exits; its exit code. A blocking call to dockerd, not a poll. */
  waitForExit(containerId: string): Promise<number> {
    return this.deps.containers.wait(containerId);
  }

  /** Creates and starts a pod; on any failure everything done so far is undone. */
  async run(spec: PodSpec, wait?: WaitSpec): Promise<PodView> {
    const view = await this.startUnready(spec, wait);
    await this.joinWhenReady(view, wait);
    return view;
  }

  /**
   * `run` up to its started containers, without the readiness wait: a controller creating many
   * pods frees its creation slot here and waits for readiness (joinWhenReady) outside it.
   */
  async startUnready(spec: PodSpec, wait?: WaitSpec): Promise<PodView> {
    const networks = await preparePod(this.forPod(spec), spec);
    const view = await this.locked(spec, (deps) =>
      withRollback(deps.logger, async (rollback) => {
        const checkpoint = await createSandbox(deps, spec, rollback);
        if (wait) checkpoint.awaitingReady = true;
        await deps.steps.run('materialize-volumes', () => materializeVolumes(deps, spec, rollback));
        if (needsPodIP(spec)) {
          // An env variable carries the pod IP: the containers wait for CNI ADD.
          await startSandbox(deps, checkpoint, networks, rollback);
          const podIP = checkpoint.attachments[0]?.ips[0]?.split('/')[0];
          await startContainers(deps, checkpoint, await createContainers(deps, spec, checkpoint.pauseId!, rollback, podIP), rollback);
          return this.viewOf(spec);
        }
        // The app containers only need the pause's id: create them while the sandbox starts.
        const creating = createContainers(deps, spec, checkpoint.pauseId!, rollback);
        await settleAll<unknown>([creating, startSandbox(deps, checkpoint, networks, rollback)]);
        await startContainers(deps, checkpoint, await creating, rollback);
        return deps.steps.time('read-view', () => this.viewOf(spec));
      }),
    );
    return view;
  }

  /**
   * A pod run or started with a readiness wait joins its services only once it passes (its
   * checkpoint says awaitingReady until then); one that fails it stays out until started again.
   */
  async joinWhenReady(view: PodView, wait: WaitSpec | undefined): Promise<void> {
    if (!wait) return this.syncServices();
    await this.waitReady(view, wait);
    await this.locked(view, async (deps) => {
      const checkpoint = await deps.store.read(view);
      if (!checkpoint?.awaitingReady) return;
      delete checkpoint.awaitingReady;
      await deps.store.write(checkpoint);
    });
    await this.syncServices();
  }

  /** A pod's sandbox made ahead of its containers (PodSession's prepareAhead; see sandbox-ahead.ts). */
  prepareSandbox(spec: PodSpec): Promise<PreparedSandbox> {
    return prepareSandbox(this.forPod(spec), spec);
  }

  /** Runs `spec` (named as the sandbox, same sandboxKey) in a prepared sandbox; a failure removes the pod. */
  async fillSandbox(sandbox: PreparedSandbox, spec: PodSpec, wait?: WaitSpec): Promise<PodView> {
    await fillSandbox(this.forPod(spec), sandbox, spec);
    const view = await this.viewOf(spec);
    if (wait) await this.waitReady(view, wait);
    return view;
  }

  discardSandbox(sandbox: PreparedSandbox): Promise<void> {
    return discardSandbox(this.forPod(sandbox.spec), sandbox);
  }

  /** Creates a pod's containers without starting it (`podctl create`). */
  async create(spec: PodSpec): Promise<PodView> {
    await preparePod(this.forPod(spec), spec);
    return this.locked(spec, (deps) =>
      withRollback(deps.logger, async (rollback) => {
        const checkpoint = await createPod(deps, spec, rollback);
        checkpoint.removeOnInterrupt = false;
        await deps.store.write(checkpoint);
        return this.viewOf(spec);
      }),
    );
  }

  /**
   * Starts a created or stopped pod; a failed start leaves it as it was. With `restartCount`,
   * the start is a restart in place of a pod that went down (a workload controller bringing
   * it back, as the kubelet does): each app container's restart is counted instead of the
   * count starting over. With `joinReady: false` the readiness wait is the caller's (joinWhenReady).
   */
  async start(ref: PodRef, wait?: WaitSpec, options: { restartCount?: boolean; joinReady?: boolean } = {}): Promise<PodView> {
    const view = await this.locked(ref, async (deps) => {
      const checkpoint = await this.requireCheckpoint(ref);
      if (checkpoint.phase === 'running') {
        const current = await this.inspect(ref);
        if (current.state === 'running') return current;
        // Degraded (pause killed or restarted behind podctl's back): rewire from scratch.
        await stopPod(deps, checkpoint, await this.members(ref), 0);
      }
      const networks = await Promise.all(checkpoint.spec.networks.map((n) => deps.cni.getNetwork(n)));
      await withRollback(deps.logger, async (rollback) => {
        rollback.push('mark stopped', async () => {
          checkpoint.phase = 'stopped';
          await deps.store.write(checkpoint);
        });
        if (wait) checkpoint.awaitingReady = true;
        else delete checkpoint.awaitingReady;
        // Restarts count from the pod's start (Docker's own count starts over too), unless
        // this start is itself a restart of the pod's containers.
        if (options.restartCount) checkpoint.restarts = Object.fromEntries(checkpoint.spec.containers.map((c) => [c.name, (checkpoint.restarts?.[c.name] ?? 0) + 1]));
        else delete checkpoint.restarts;
        delete checkpoint.backOff;
        await startPod(deps, checkpoint, networks, rollback);
      });
      return this.viewOf(ref);
    });
    if (options.joinReady !== false) await this.joinWhenReady(view, wait);
    return view;
  }

  /**
   * The kubelet's pass over one pod (serve): takes restarts over from Docker's policy on the
   * app containers not yet in `held` (the ones serve has looked at; adds them), and starts again those that ended under a
   * running pause once their CrashLoopBackOff delay passed (backoff.ts; the record stays in
   * the checkpoint). Names the containers it started, when the next delay ends, and whether
   * the running pod awaits readiness: as the kubelet's, a container restarted with a startup
   * or readiness probe is not ready until its probes pass again (serve waits for them).
   * `ignoreBackOff` starts every ended one now (serve handing restarts back to Docker).
   */
  async kubeletSync(ref: PodRef, options: { held?: Set<string>; ignoreBackOff?: boolean } = {}): Promise<KubeletSyncResult> {
    const result = await this.locked(ref, async (deps) => {
      const [checkpoint, members] = await Promise.all([deps.store.read(ref), this.members(ref)]);
      const out: KubeletSyncResult = { started: [] };
      const owns = checkpoint !== undefined && kubeletOwnsRestarts(checkpoint.spec.restartPolicy, checkpoint.spec.restartRetries);
      const apps = members.filter((c) => c.labels[LABEL.role] === 'app');
      for (const c of apps) {
        if (!options.held || options.held.has(c.id)) continue;
        if (owns) await deps.containers.setRestartPolicy(c.id, { Name: 'no' });
        options.held.add(c.id);
      }
      // A pod being deleted is not brought back: its containers end with it.
      if (!checkpoint || !owns || checkpoint.deletionTimestamp) return out;
      const pause = members.find((c) => c.labels[LABEL.role] === 'pause');
      if (checkpoint.phase !== 'running' || pause?.state !== 'running' || pause.id !== checkpoint.pauseId) return out;
      for (const c of apps.filter((a) => a.state === 'exited')) {
        const name = c.labels[LABEL.container] ?? c.name;
        const details = await deps.containers.inspect(c.id);
        if (!details || !kubeletRestarts(checkpoint.spec.restartPolicy, checkpoint.spec.restartRetries, details.exitCode)) continue;
        const end = terminationOf(details.exitCode, details.oomKilled, details.startedAt, details.finishedAt);
        const judged = judgeEnd(checkpoint.backOff?.[name], end, Date.now());
        const waitMs = options.ignoreBackOff ? 0 : judged.waitMs;
        checkpoint.backOff = { ...checkpoint.backOff, [name]: { ...judged.record, waiting: waitMs > 0 } };
        if (waitMs > 0) {
          out.retryInMs = Math.min(out.retryInMs ?? waitMs, waitMs);
          await deps.store.write(checkpoint);
          continue;
        }
        checkpoint.restarts = withRestart(checkpoint.restarts, name, details.restartCount);
        if (!options.ignoreBackOff && hasProbes(checkpoint.spec.containers.filter((s) => s.name === name))) checkpoint.awaitingReady = true;
        await deps.store.write(checkpoint);
        await deps.containers.start(c.id);
        out.started.push(name);
      }
      if (checkpoint.awaitingReady) out.awaitingReady = true;
      return out;
    });
    if (result.started.length > 0) await this.syncServices();
    return result;
  }

  /**
   * The kubelet's new sandbox for a pod whose pause died or was removed while it ran (serve,
   * see `sandboxDied`): the old network state is released first (CNI DEL from the cache, the
   * pin dropped), the old pause and app containers go, then a new pause, CNI ADD again and the
   * app containers made again from the spec, each one's restart counted. A pod with probes
   * awaits readiness again. The checkpoint says a new sandbox is under way until it runs, so a
   * serve killed meanwhile leaves it for the next. False when there was nothing to do.
   */
  async recreateSandbox(ref: PodRef): Promise<boolean> {
    const networks = await (async () => {
      const spec = (await this.deps.store.read(ref))?.spec;
      return spec ? preparePod(this.forPod(spec), spec) : undefined;
    })();
    if (!networks) return false;
    const done = await this.locked(ref, async (deps) => {
      const [checkpoint, members] = await Promise.all([deps.store.read(ref), this.members(ref)]);
      if (!checkpoint || !sandboxDied(checkpoint, members)) return false;
      const spec = checkpoint.spec;
      if (!checkpoint.sandboxRecreation) {
        // Counted once, with the Docker counts the removal is about to lose.
        const apps = members.filter((c) => c.labels[LABEL.role] === 'app');
        const counts = new Map(await Promise.all(apps.map(async (c) => [c.labels[LABEL.container] ?? c.name, (await deps.containers.inspect(c.id))?.restartCount ?? 0] as const)));
        for (const c of spec.containers) checkpoint.restarts = withRestart(checkpoint.restarts, c.name, counts.get(c.name) ?? 0);
        checkpoint.sandboxRecreation = true;
        delete checkpoint.backOff;
        await deps.store.write(checkpoint);
      }
      await this.services.sync({ leaving: [checkpoint] }).catch(this.syncFailed);
      await releaseNetworks(deps, checkpoint, true);
      await deps.store.write(checkpoint);
      await deps.steps.run('remove-containers', () => removeContainers(deps, members));
      await withRollback(deps.logger, async (rollback) => {
        rollback.push('leave the sandbox to be made again', async () => {
          checkpoint.phase = 'running';
          checkpoint.sandboxRecreation = true;
          delete checkpoint.pauseId;
          await deps.store.write(checkpoint);
        });
        checkpoint.pauseId = await createPause(deps, spec, rollback);
        if (hasProbes(spec.containers)) checkpoint.awaitingReady = true;
        await deps.store.write(checkpoint);
        await deps.steps.run('materialize-volumes', () => materializeVolumes(deps, spec, rollback));
        await startSandbox(deps, checkpoint, networks, rollback);
        const podIP = needsPodIP(spec) ? checkpoint.attachments[0]?.ips[0]?.split('/')[0] : undefined;
        delete checkpoint.sandboxRecreation;
        await startContainers(deps, checkpoint, await createContainers(deps, spec, checkpoint.pauseId, rollback, podIP), rollback);
      });
      return true;
    });
    if (done) await this.syncServices();
    return done;
  }

  /**
   * Marks the pod Terminating (Kubernetes' deletionTimestamp, with the grace period its
   * containers get: `graceSeconds`, else the pod's terminationGracePeriodSeconds) before its
   * deletion stops it; a mark already there stays. False when the pod has no checkpoint.
   */
  async beginDeletion(ref: PodRef, graceSeconds?: number): Promise<boolean> {
    return this.locked(ref, async (deps) => {
      const checkpoint = await deps.store.read(ref);
      if (!checkpoint) return false;
      if (checkpoint.deletionTimestamp) return true;
      checkpoint.deletionTimestamp = new Date().toISOString();
      checkpoint.deletionGracePeriodSeconds = graceSeconds ?? checkpoint.spec.stopTimeout;
      await deps.store.write(checkpoint);
      return true;
    });
  }

  /** Rewrites the pod's owner references (orphaned by its owner's deletion). */
  async setOwnerReferences(ref: PodRef, change: (refs: OwnerRef[] | undefined) => OwnerRef[]): Promise<void> {
    await this.locked(ref, async (deps) => {
      const checkpoint = await deps.store.read(ref);
      if (!checkpoint) return;
      const refs = change(checkpoint.spec.ownerReferences);
      if (refs.length > 0) checkpoint.spec.ownerReferences = refs;
      else delete checkpoint.spec.ownerReferences;
      await deps.store.write(checkpoint);
    });
  }

  /** Gives the pod's app containers in `held` Docker's restart policy back (serve stopping), removing them from `held`. */
  async releaseRestarts(ref: PodRef, held: Set<string>): Promise<void> {
    await this.locked(ref, async (deps) => {
      const [checkpoint, members] = await Promise.all([deps.store.read(ref), this.members(ref)]);
      const owns = checkpoint !== undefined && kubeletOwnsRestarts(checkpoint.spec.restartPolicy, checkpoint.spec.restartRetries);
      for (const c of members.filter((m) => held.has(m.id))) {
        if (owns) await deps.containers.setRestartPolicy(c.id, engineRestartPolicy(checkpoint!.spec));
        held.delete(c.id);
      }
    });
  }

  async stop(ref: PodRef, timeoutSeconds?: number): Promise<void> {
    await this.locked(ref, async (deps) => {
      const checkpoint = await this.requireCheckpoint(ref);
      await this.leaveServices(checkpoint, 'stopping');
      await stopPod(deps, checkpoint, await this.members(ref), timeoutSeconds ?? checkpoint.spec.stopTimeout);
    });
  }

  async restart(ref: PodRef, timeoutSeconds?: number, wait?: WaitSpec): Promise<PodView> {
    await this.stop(ref, timeoutSeconds);
    return this.start(ref, wait);
  }

  /**
   * Removes a pod and everything podctl set up for it. Returns false when there was no such
   * pod. A running pod needs `force`. Works on pods whose pause was killed or removed.
   */
  /** `lockWaitMs`: how long to wait for another process working on the pod (0: leave the pod to it, with a LOCKED error). */
  async remove(ref: PodRef, force = false, options: { lockWaitMs?: number } = {}): Promise<boolean> {
    return this.locked(ref, async (deps) => {
      const [checkpoint, members] = await deps.steps.time('read-pod', () => Promise.all([deps.store.read(ref), this.members(ref)]));
      if (!checkpoint && members.length === 0) {
        // A run killed while writing its first checkpoint leaves only the pod's directory with
        // the half-written file; under the pod's lock nobody is writing there.
        await deps.store.remove(ref);
        return false;
      }
      if (!force && members.some((c) => c.state === 'running')) {
        throw new PodctlError('FAILED_PRECONDITION', `pod ${formatPodRef(ref)} is running`, {
          hint: 'stop it first, or remove it with force',
        });
      }
      if (checkpoint) await this.leaveServices(checkpoint, 'removing');
      await removePod(deps, checkpoint, members, force);
      return true;
    }, options.lockWaitMs);
  }

  /** All pods from one Docker list call plus the local checkpoints. */
  async list(filter: ListFilter = {}): Promise<PodView[]> {
    const [containers, checkpoints, pins] = await Promise.all([this.deps.containers.list(ALL_PODS_FILTER), this.deps.store.list(), this.deps.pins.list()]);
    return filterViews(podViews(containers, checkpoints, new Set(pins)), filter);
  }

  /**
   * Finds and removes what interrupted or out-of-band events left: see gc.ts. With
   * `dryRun` it only reports.
   */
  async gc(options: GcOptions): Promise<GcAction[]> {
    const actions = await collectGarbage(this.deps, this.paths.stateDir, options);
    // Rewrites the Service table even when podctl's record says it is current: gc is for drift.
    if (!options.dryRun) await this.services.sync({ force: true });
    return actions;
  }

  /** Keeps Services current from Docker's event stream until `signal` aborts (`podctl watch`). */
  async watchServices(signal: AbortSignal, onSync?: (events: number) => void, onUnhealthy?: (pod: PodView, container: string, message: string) => Promise<void>, source?: ContainerEventSource): Promise<void> {
    const [{ watchServices, dockerEventSource }, { LivenessProbes }] = await Promise.all([import('./watch-services.js'), import('./liveness.js')]);
    const liveness = new LivenessProbes(async (t, message) => {
      this.deps.logger.warn(`pod ${t.pod.name}, container ${t.container}: ${message}; restarting it`);
      await onUnhealthy?.(t.pod, t.container, message);
      // Recorded before the restart, with the Docker count the start is about to reset. As the
      // kubelet's, a container with a startup or readiness probe is not ready after it until
      // the probe passes again: the pod leaves its Services now and joins them then.
      const probed = hasProbes((this.specs.get(t.pod.id!)?.containers ?? []).filter((c) => c.name === t.container));
      // A failed restart is said, never thrown: the probe loop runs detached, and `watch` or serve must go on.
      try {
        const restarting = await this.locked(t.pod, async (deps) => {
          const [checkpoint, details] = await Promise.all([deps.store.read(t.pod), deps.containers.inspect(t.id)]);
          // A pod stopping or being deleted meanwhile is not restarted (its probe failed because it is going).
          if (!checkpoint || checkpoint.pauseId !== t.pod.id || checkpoint.phase !== 'running' || checkpoint.deletionTimestamp) return false;
          checkpoint.restarts = withRestart(checkpoint.restarts, t.container, details?.restartCount ?? 0);
          if (probed) checkpoint.awaitingReady = true;
          await deps.store.write(checkpoint);
          return true;
        });
        if (!restarting) return;
        if (probed) await this.syncServices();
        const spec = this.specs.get(t.pod.id!);
        await this.deps.containers.stop(t.id, spec?.stopTimeout ?? 10);
        await this.deps.containers.start(t.id);
      } catch (err) {
        this.deps.logger.warn(`pod ${t.pod.name}, container ${t.container}: the liveness restart failed: ${messageOf(err)}`);
        return;
      }
      if (probed) {
        void this.joinWhenReady(t.pod, { timeoutMs: LIVENESS_READY_TIMEOUT_MS }).catch((err: unknown) => this.deps.logger.warn(`pod ${t.pod.name} is not ready after its liveness restart: ${messageOf(err)}`));
      }
    });
    try {
      await watchServices(source ?? dockerEventSource(this.deps.containers), this.services, this.deps.logger, signal, (events) => {
        onSync?.(events);
        void this.livenessTargets().then(
          (targets) => liveness.reconcile(targets),
          (err: unknown) => this.deps.logger.warn(`liveness probes: ${err instanceof Error ? err.message : String(err)}`),
        );
      });
    } finally {
      liveness.stop();
    }
  }

  /** Specs of pods seen by `watch`, by pod id (a pod's spec never changes). */
  private readonly specs = new Map<string, PodSpec>();

  /** Every running app container with a liveness probe: one pod list, each pod's spec read once. */
  private async livenessTargets(): Promise<import('./liveness.js').LiveTarget[]> {
    const views = (await this.list({ all: false })).filter((v) => v.state === 'running' && v.id && v.ips[0]);
    const out: Array<import('./liveness.js').LiveTarget> = [];
    for (const view of views) {
      if (!this.specs.has(view.id!)) {
        const spec = (await this.deps.store.read(view))?.spec;
        if (spec) this.specs.set(view.id!, spec);
      }
      for (const c of this.specs.get(view.id!)?.containers ?? []) {
        const member = view.containers.find((m) => m.role === 'app' && m.name === c.name && m.state === 'running');
        if (!c.livenessProbe || !member) continue;
        out.push({ id: member.id, pod: view, container: c.name, livenessProbe: c.livenessProbe, ip: view.ips[0]!, exec: (command, timeoutMs) => this.deps.containers.exec(member.id, command, collectOutput().sink, { timeoutMs }) });
      }
    }
    return out;
  }

  /**
   * Fills each app container's `restarts` (kubectl's RESTARTS): the checkpoint's count plus
   * Docker's RestartCount, which only inspect gives: one call per app container that Docker may
   * have restarted, POD_CONCURRENCY at once.
   * For `get pods`; `ps` stays one list call and shows no restarts.
   */
  async countRestarts(views: PodView[]): Promise<void> {
    const { default: pLimit } = await import('p-limit');
    const limit = pLimit(POD_CONCURRENCY);
    await Promise.all(
      views.map(async (view) => {
        const checkpoint = await this.deps.store.read(view).catch(() => undefined);
        // Docker restarts nothing under policy "no" (restartPolicy Never: Job pods) and nothing
        // that never started: those need no inspect.
        const dockerMayRestart = (c: PodView['containers'][number]) => checkpoint?.spec.restartPolicy !== 'no' && c.state !== 'created';
        await Promise.all(
          view.containers
            .filter((c) => c.role === 'app')
            .map((c) =>
              limit(async () => {
                const details = dockerMayRestart(c) ? await this.deps.containers.inspect(c.id) : undefined;
                c.restarts = containerRestarts(checkpoint, c.name, details?.restartCount ?? 0);
              }),
            ),
        );
      }),
    );
  }

  /** One pod, with each network's CNI result and the pause process id. */
  async inspect(ref: PodRef): Promise<PodView> {
    const view = await this.viewOf(ref);
    if (!view.id && view.state === 'unknown') throw this.noSuchPod(ref);
    const [pause, results] = await Promise.all([
      view.pause.id ? this.deps.containers.inspect(view.pause.id) : undefined,
      Promise.all(view.networks.map((n) => (view.id ? this.deps.cni.getCachedResult(n.name, view.id, n.ifname) : undefined))),
    ]);
    if (pause?.running) {
      view.pause.pid = pause.pid;
      if (view.state === 'running' && !(await pauseInPinnedNetns(pause.pid, view.netns))) {
        view.state = 'degraded';
        view.problems = [...(view.problems ?? []), `the pause container restarted outside podctl and its network namespace is not wired; restart the pod`];
      }
    }
    view.networks.forEach((n, i) => {
      if (results[i] !== undefined) n.result = results[i];
    });
    return view;
  }

  /** The spec a pod was created from (its checkpoint), or undefined when there is no such pod. */
  async getSpec(ref: PodRef): Promise<PodSpec | undefined> {
    return (await this.deps.store.read(ref))?.spec;
  }

  /** The containers of one pod (label-filtered list), for logs and exec. */
  async members(ref: PodRef): Promise<ContainerSummary[]> {
    return this.deps.containers.list(podFilter(ref.name, ref.namespace));
  }

  /**
   * Runs a command in a running container of the pod (default: its first app container), its
   * output into `sink`; returns the command's exit code.
   */
  async exec(ref: PodRef, command: string[], sink: OutputSink, options: PodExecOptions = {}): Promise<number> {
    const [members, spec] = await Promise.all([this.members(ref), this.getSpec(ref)]);
    return execInPod(this.deps, ref, members, spec, command, sink, options);
  }

  /** Attaches to a running container of the pod (kubectl attach): its output into `sink` until it exits or `options.signal` aborts. */
  async attach(ref: PodRef, sink: OutputSink, options: PodAttachOptions = {}): Promise<void> {
    const [members, spec] = await Promise.all([this.members(ref), this.getSpec(ref)]);
    await attachInPod(this.deps, ref, members, spec, sink, options);
  }

  /** Like `exec`, but returns what the command printed (default time limit 60 s). */
  async execCapture(ref: PodRef, command: string[], options: Omit<PodExecOptions, 'stdin' | 'tty'> = {}): Promise<ExecResult> {
    const output = collectOutput();
    const exitCode = await this.exec(ref, command, output.sink, { timeoutMs: 60_000, ...options });
    const { stdout, stderr } = output.text();
    return { exitCode, stdout, stderr };
  }

  /**
   * Forwards local ports to `localhost:PORT` inside a running pod (`podctl port-forward`). The
   * forward's `ended` rejects when the pod stops or goes away, as kubectl's ends.
   */
  async portForward(ref: PodRef, ports: ForwardedPort[], events: ForwardEvents = {}): Promise<PortForward> {
    const { forwardPorts } = await import('./port-forward.js');
    const { forward, ended, close } = await this.whileRunning(ref, (netns) => forwardPorts(netns, ports, events));
    return { ports: forward.ports, ended, close };
  }

  /**
   * Connections to `localhost:PORT` inside a running pod, dialed on demand (the API's
   * port-forward). `ended` rejects when the pod stops or goes away.
   */
  async podDialer(ref: PodRef): Promise<PodDialer> {
    const { startDialer } = await import('./port-forward.js');
    const { forward, ended, close } = await this.whileRunning(ref, (netns) => startDialer(netns));
    return { dial: (port) => forward.dial(port), ended, close };
  }

  /** Starts something in a running pod's namespace, and ends it (rejecting `ended`) when the pod's sandbox stops or goes away. */
  private async whileRunning<T extends { ended: Promise<void>; close(): Promise<void> }>(ref: PodRef, start: (netns: string) => Promise<T>): Promise<{ forward: T; ended: Promise<void>; close(): Promise<void> }> {
    const { watchContainerGone } = await import('./container-gone.js');
    const before = await this.viewOf(ref);
    if (!before.pause.id) throw this.noSuchPod(ref);
    const watch = await watchContainerGone(this.deps.containers, before.pause.id);
    let forward: T;
    try {
      const view = await this.viewOf(ref);
      if (view.state !== 'running' || view.pause.id !== before.pause.id) {
        throw new PodctlError('INVALID_ARGUMENT', `pod ${formatPodRef(ref)} is ${view.state}, not running: nothing to forward to`, { hint: `start it first: podctl start ${ref.name}` });
      }
      forward = await start(view.netns);
    } catch (err) {
      watch.stop();
      throw err;
    }
    const goneError = watch.gone.then((what) => {
      throw new PodctlError('NOT_FOUND', `lost connection to pod ${formatPodRef(ref)}: its sandbox ${what}`, { hint: 'forward again once the pod runs' });
    });
    const ended = Promise.race([forward.ended, goneError]).finally(async () => {
      watch.stop();
      await forward.close();
    });
    ended.catch(() => undefined);
    return {
      forward,
      ended,
      async close() {
        watch.stop();
        await forward.close();
      },
    };
  }

  /** Writes a pod's logs into `sink`: one container (default: its first app container), or `all`. */
  async logs(ref: PodRef, sink: OutputSink, options: PodLogsOptions = {}): Promise<void> {
    const [members, checkpoint] = await Promise.all([this.members(ref), this.deps.store.read(ref)]);
    await podLogs(this.deps, ref, members, checkpoint?.spec, sink, options, checkpoint?.restarts);
  }

  /** Pods as Services see them: one labelled list call plus the checkpoints. */
  private async servicePods(leaving: PodRef[]): Promise<ProxyPod[]> {
    const [containers, checkpoints] = await Promise.all([this.deps.containers.list(ALL_PODS_FILTER), this.deps.store.list()]);
    return servicePods(containers, checkpoints, leaving, (ref) => this.deps.store.podDir(ref));
  }

  /**
   * After a pod came up: its endpoints join their services. A failure here does not undo a
   * pod that runs; the next podctl command or gc converges, and the warning says so.
   */
  private async syncServices(): Promise<void> {
    await this.services.sync().catch(this.syncFailed);
  }

  /**
   * Before a pod's containers stop: mark it leaving (so no concurrent sync counts it ready),
   * then take it out of every service, so new connections go to the other endpoints only.
   * A pod already marked is taken out again: the process that marked it may have died before
   * its sync wrote the table (serve killed mid-deletion), and the kernel's table may still
   * send connections to it.
   */
  private async leaveServices(checkpoint: PodCheckpoint, phase: 'stopping' | 'removing'): Promise<void> {
    if (checkpoint.phase === 'running') {
      checkpoint.phase = phase;
      await this.deps.store.write(checkpoint);
    } else if (checkpoint.phase !== 'stopping' && checkpoint.phase !== 'removing') {
      return;
    }
    await this.services.sync({ leaving: [checkpoint] }).catch(this.syncFailed);
  }

  private readonly syncFailed = (err: unknown): void => {
    this.deps.logger.warn(`service rules not updated: ${messageOf(err)}; podctl gc retries`);
  };

  private async viewOf(ref: PodRef): Promise<PodView> {
    const [checkpoint, members, pins] = await Promise.all([this.deps.store.read(ref), this.members(ref), this.deps.pins.list()]);
    return podView(checkpoint, members, ref, new Set(pins));
  }

  private async requireCheckpoint(ref: PodRef): Promise<PodCheckpoint> {
    const checkpoint = await this.deps.store.read(ref);
    if (!checkpoint) throw this.noSuchPod(ref);
    return checkpoint;
  }

  private noSuchPod(ref: PodRef): PodctlError {
    return new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} not found`, { hint: 'check its name and namespace against the list of pods' });
  }

  /** The deps with a logger (and step runner) whose every message names the pod. */
  private forPod(ref: PodRef): PodDeps {
    const logger = childLogger(this.deps.logger, { pod: formatPodRef(ref) });
    return { ...this.deps, logger, steps: this.deps.steps.withLogger(logger) };
  }

  /** Runs `fn` holding the pod's lock, with deps for that pod. */
  private async locked<T>(ref: PodRef, fn: (deps: PodDeps) => Promise<T>, lockWaitMs?: number): Promise<T> {
    const lock = await this.deps.steps.time('lock-pod', () => this.deps.lockPod(ref, lockWaitMs));
    try {
      return await fn(this.forPod(ref));
    } finally {
      await lock.release();
    }
  }

  /** `--wait-http`/`--wait-tcp` probe the pod IP; plain `--wait` runs the containers' own startup/readiness probes. */
  private async waitReady(view: PodView, wait: WaitSpec): Promise<void> {
    const ip = view.ips[0];
    if (!ip) throw new PodctlError('FAILED_PRECONDITION', `pod ${view.name} has no IP to probe`);
    const spec = (await this.deps.store.read(view))?.spec;
    if (wait.http || wait.tcp !== undefined || !spec || !hasProbes(spec.containers)) return waitForPod(ip, wait);
    const targets = spec.containers.map((c) => ({
      container: c.name,
      startupProbe: c.startupProbe,
      readinessProbe: c.readinessProbe,
      exec: async (command: string[], timeoutMs: number) => {
        const id = view.containers.find((m) => m.role === 'app' && m.name === c.name)?.id;
        if (!id) return -1;
        return this.deps.containers.exec(id, command, collectOutput().sink, { timeoutMs });
      },
    }));
    await waitForProbes(ip, targets, wait.timeoutMs);
  }
}
