import { randomBytes } from 'node:crypto';
import { DEFAULT_PAUSE_IMAGE } from '../docker/pause-image.js';
import { PodManager, type PodManagerOptions } from './manager.js';
import { podKey, type PodRef } from './naming.js';
import { PodHandle } from './pod-handle.js';
import { specFromRunOptions, waitFromRunOptions, type PodRunOptions } from './run-options.js';
import { sandboxKey, type PreparedSandbox } from './sandbox-ahead.js';
import { DEFAULT_NAMESPACE, type PodSpec } from './spec.js';
import type { PodView } from './status.js';
import type { WaitSpec } from './wait.js';
import type { ServiceEndpoints, ServicePort, ServiceSpec } from '../service/types.js';
import { processAlive } from '../util/process-alive.js';

/** A Service from code: namespace, type, labels and each port's protocol/targetPort have defaults. */
export type ServiceInput = Omit<ServiceSpec, 'namespace' | 'labels' | 'type' | 'ports'> &
  Partial<Pick<ServiceSpec, 'namespace' | 'labels' | 'type'>> & { ports: Array<Omit<ServicePort, 'protocol' | 'targetPort'> & Partial<Pick<ServicePort, 'protocol' | 'targetPort'>>> };

export interface PodSessionOptions extends PodManagerOptions {
  /**
   * The session id every pod of this session is labelled with (io.podctl.session). Default:
   * `lib-<pid>-<random>`. A fixed id (one per test suite) makes `open` first remove the pods a
   * crashed earlier run of that suite left behind.
   */
  session?: string;
  /** An already open manager to use instead of opening one. */
  manager?: PodManager;
  /**
   * Keep this many sandboxes (pause, namespace, networks) ready for pods run without a `name`
   * and without ports: such a `run` then only creates and starts its containers. Sandboxes are
   * made in the background after a `run`, shaped like that run's pod (same namespace,
   * networks, labels, DNS, ...); while they wait they are pods with no containers. Default 0.
   */
  prepareAhead?: number;
  /**
   * `PodHandle.remove()` returns at once and the pod is removed in the background; `idle()`
   * waits for that, `removeAll()` (and `await using`) waits and reports any failure. A `run`
   * with the name of a pod still being removed waits for that removal first.
   */
  backgroundRemoval?: boolean;
}

const LIB_SESSION = /^lib-(\d+)-[0-9a-f]+$/;

/** A sandbox being prepared: its pod name is known at once, the sandbox when it is up. */
interface Ready {
  key: string;
  name: string;
  sandbox: Promise<PreparedSandbox | undefined>;
}

/**
 * The library's entry for test suites: pods from code, each labelled with this session, all
 * removed by `removeAll()` or `await using`. A run that crashed leaves pods behind; the next
 * `open` removes those of dead `lib-<pid>-*` sessions and those of its own fixed session id,
 * and `podctl gc --session ID` does it from a shell.
 */
export class PodSession implements AsyncDisposable {
  private readonly services = new Set<string>();
  private readonly ready: Ready[] = [];
  private readonly background = new Set<Promise<void>>();
  private readonly removing = new Map<string, Promise<void>>();
  private readonly failures: unknown[] = [];
  private closing = false;

  private constructor(
    readonly manager: PodManager,
    readonly id: string,
    private readonly network: string,
    private readonly prepareAhead: number,
    private readonly backgroundRemoval: boolean,
  ) {}

  static async open(options: PodSessionOptions = {}): Promise<PodSession> {
    const manager = options.manager ?? (await PodManager.open(options));
    const id = options.session ?? `lib-${process.pid}-${randomBytes(3).toString('hex')}`;
    const network = await manager.defaultNetwork();
    const session = new PodSession(manager, id, network, Math.max(0, Math.floor(options.prepareAhead ?? 0)), options.backgroundRemoval ?? false);
    await session.reclaim(options.session !== undefined);
    return session;
  }

  /** Creates and starts a pod; with `wait`, returns once it is ready. */
  async run(options: PodRunOptions): Promise<PodHandle> {
    const spec = this.specOf(options);
    const wait = waitFromRunOptions(options.wait);
    // A named pod or one with host ports cannot use a sandbox made for another.
    if (this.prepareAhead === 0 || options.name !== undefined || spec.portMappings.length > 0) return this.runSpec(spec, wait);
    // Generated names start with the first container's name ("nginx-7f3a2c"): so do those of
    // the sandboxes, which are prepared per first container name and shape.
    const key = `${spec.containers[0]?.name ?? ''} ${sandboxKey(spec)}`;
    const taken = this.take(key);
    const sandbox = taken && (await taken.sandbox);
    try {
      if (!sandbox) return await this.runSpec(spec, wait);
      const named = { ...spec, name: sandbox.spec.name };
      return this.handleOf(named, await this.manager.fillSandbox(sandbox, named, wait));
    } finally {
      this.refill(options, key);
    }
  }

  /** Runs a full pod spec (for example one parsed from a manifest), labelled with this session. */
  async runSpec(spec: PodSpec, wait?: WaitSpec): Promise<PodHandle> {
    const labelled = { ...spec, session: this.id };
    await this.removing.get(podKey(labelled));
    return this.handleOf(labelled, await this.manager.run(labelled, wait));
  }

  /** What a manifest leaves open (namespace, network, pause image), for the kube parser. */
  manifestDefaults(): { namespace: string; defaultNetwork: string; pauseImage: string; session: string } {
    return { namespace: DEFAULT_NAMESPACE, defaultNetwork: this.network, pauseImage: DEFAULT_PAUSE_IMAGE, session: this.id };
  }

  /** The pods of this session, in every namespace and state (not the sandboxes kept ready). */
  async list(): Promise<PodView[]> {
    const waiting = new Set(this.ready.map((r) => r.name));
    return (await this.manager.list({ namespace: undefined, all: true, session: this.id })).filter((p) => !waiting.has(p.name));
  }

  /**
   * Creates (or updates) a Service; its rules, endpoints and the pods' hosts files are current
   * when this returns. The session removes it in `removeAll()`.
   */
  async createService(spec: ServiceInput): Promise<ServiceEndpoints> {
    const full: ServiceSpec = { namespace: 'default', labels: {}, type: 'ClusterIP', ...spec, ports: spec.ports.map((p) => ({ protocol: 'TCP', targetPort: p.port, ...p })) };
    const { service } = await this.manager.services.apply(full);
    this.services.add(`${full.namespace}/${full.name}`);
    return service;
  }

  /** Services with their current endpoints (every namespace unless one is given). */
  async listServices(namespace?: string): Promise<ServiceEndpoints[]> {
    return this.manager.services.list(namespace);
  }

  async removeService(name: string, namespace = 'default'): Promise<boolean> {
    this.services.delete(`${namespace}/${name}`);
    return this.manager.services.remove({ name, namespace });
  }

  /** Waits until no background work (sandboxes being prepared, pods being removed) is left. */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /**
   * Removes every service and pod of this session and every sandbox kept ready; returns how many pods
   * there were. Throws the first failure of a background removal, if any.
   */
  async removeAll(): Promise<number> {
    this.closing = true;
    try {
      for (const key of [...this.services]) {
        const [namespace, name] = key.split('/') as [string, string];
        await this.removeService(name, namespace);
      }
      await this.idle();
      const ready = this.ready.splice(0);
      await Promise.allSettled(ready.map(async (r) => {
        const sandbox = await r.sandbox;
        if (sandbox) await this.manager.discardSandbox(sandbox);
      }));
      const pods = await this.manager.list({ namespace: undefined, all: true, session: this.id });
      const results = await Promise.allSettled(pods.map((p) => this.manager.remove(p, true)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      if (this.failures.length > 0) throw this.failures.splice(0)[0];
      return pods.length;
    } finally {
      this.closing = false;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.removeAll();
  }

  private specOf(options: PodRunOptions): PodSpec {
    return specFromRunOptions(options, { network: this.network, pauseImage: DEFAULT_PAUSE_IMAGE, session: this.id });
  }

  private handleOf(spec: PodSpec, view: PodView): PodHandle {
    return new PodHandle(this.manager, spec, view, this.backgroundRemoval ? (ref) => this.removeInBackground(ref) : undefined);
  }

  private track(work: Promise<void>): void {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }

  private async removeInBackground(ref: PodRef): Promise<void> {
    const key = podKey(ref);
    const removal = this.manager.remove(ref, true).then(
      () => undefined,
      (err: unknown) => void this.failures.push(err),
    );
    this.removing.set(key, removal);
    this.track(removal.finally(() => this.removing.delete(key)));
  }

  /** The first ready (or coming) sandbox of this shape, removed from the pool. */
  private take(key: string): Ready | undefined {
    const index = this.ready.findIndex((r) => r.key === key);
    return index < 0 ? undefined : this.ready.splice(index, 1)[0];
  }

  /**
   * Tops the pool up with sandboxes shaped like the pods of `options`; sandboxes of other shapes are
   * discarded (a suite's pods mostly look alike). A sandbox that fails to come up is dropped:
   * the run that would have taken it runs cold instead.
   */
  private refill(options: PodRunOptions, key: string): void {
    if (this.closing) return;
    for (const stale of this.ready.filter((r) => r.key !== key)) {
      this.ready.splice(this.ready.indexOf(stale), 1);
      this.track(stale.sandbox.then((s) => (s ? this.manager.discardSandbox(s) : undefined)).catch((err: unknown) => void this.failures.push(err)));
    }
    while (this.ready.length < this.prepareAhead) {
      const spec = this.specOf(options);
      const sandbox = this.manager.prepareSandbox(spec).catch(() => undefined);
      this.ready.push({ key, name: spec.name, sandbox });
      this.track(sandbox.then(() => undefined));
    }
  }

  /** Removes what crashed runs left: pods of dead `lib-<pid>-*` sessions, and of this id when it is fixed. */
  private async reclaim(fixedId: boolean): Promise<void> {
    const all = await this.manager.list({ namespace: undefined, all: true });
    const stale = all.filter((p) => {
      if (!p.session) return false;
      if (fixedId && p.session === this.id) return true;
      const pid = LIB_SESSION.exec(p.session)?.[1];
      return pid !== undefined && Number(pid) !== process.pid && !processAlive(Number(pid));
    });
    await Promise.allSettled(stale.map((p) => this.manager.remove(p, true)));
  }
}
