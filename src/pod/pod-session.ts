import { randomBytes } from 'node:crypto';
import { DEFAULT_PAUSE_IMAGE } from '../docker/pause-image.js';
import { PodManager, type PodManagerOptions } from './manager.js';
import { PodHandle } from './pod-handle.js';
import { specFromRunOptions, waitFromRunOptions, type PodRunOptions } from './run-options.js';
import { DEFAULT_NAMESPACE, type PodSpec } from './spec.js';
import type { PodView } from './status.js';
import type { WaitSpec } from './wait.js';
import { processAlive } from '../util/process-alive.js';

export interface PodSessionOptions extends PodManagerOptions {
  /**
   * The session id every pod of this session is labelled with (io.podctl.session). Default:
   * `lib-<pid>-<random>`. A fixed id (one per test suite) makes `open` first remove the pods a
   * crashed earlier run of that suite left behind.
   */
  session?: string;
  /** An already open manager to use instead of opening one. */
  manager?: PodManager;
}

const LIB_SESSION = /^lib-(\d+)-[0-9a-f]+$/;

/**
 * The library's entry for test suites: pods from code, each labelled with this session, all
 * removed by `removeAll()` or `await using`. A run that crashed leaves pods behind; the next
 * `open` removes those of dead `lib-<pid>-*` sessions and those of its own fixed session id,
 * and `podctl gc --session ID` does it from a shell.
 */
export class PodSession implements AsyncDisposable {
  private constructor(
    readonly manager: PodManager,
    readonly id: string,
    private readonly network: string,
  ) {}

  static async open(options: PodSessionOptions = {}): Promise<PodSession> {
    const manager = options.manager ?? (await PodManager.open(options));
    const id = options.session ?? `lib-${process.pid}-${randomBytes(3).toString('hex')}`;
    const network = await manager.defaultNetwork();
    const session = new PodSession(manager, id, network);
    await session.reclaim(options.session !== undefined);
    return session;
  }

  /** Creates and starts a pod; with `wait`, returns once it is ready. */
  async run(options: PodRunOptions): Promise<PodHandle> {
    const spec = specFromRunOptions(options, { network: this.network, pauseImage: DEFAULT_PAUSE_IMAGE, session: this.id });
    return this.runSpec(spec, waitFromRunOptions(options.wait));
  }

  /** Runs a full pod spec (for example one parsed from a manifest), labelled with this session. */
  async runSpec(spec: PodSpec, wait?: WaitSpec): Promise<PodHandle> {
    const labelled = { ...spec, session: this.id };
    const view = await this.manager.run(labelled, wait);
    return new PodHandle(this.manager, labelled, view);
  }

  /** What a manifest leaves open (namespace, network, pause image), for the kube parser. */
  manifestDefaults(): { namespace: string; defaultNetwork: string; pauseImage: string; session: string } {
    return { namespace: DEFAULT_NAMESPACE, defaultNetwork: this.network, pauseImage: DEFAULT_PAUSE_IMAGE, session: this.id };
  }

  /** The pods of this session, in every namespace and state. */
  async list(): Promise<PodView[]> {
    return this.manager.list({ namespace: undefined, all: true, session: this.id });
  }

  /** Removes every pod of this session; returns how many there were. */
  async removeAll(): Promise<number> {
    const pods = await this.list();
    const results = await Promise.allSettled(pods.map((p) => this.manager.remove(p, true)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return pods.length;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.removeAll();
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
