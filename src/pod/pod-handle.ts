import { collectOutput } from '../docker/containers.js';
import { PodctlError } from '../util/errors.js';
import type { ExecResult } from './container-io.js';
import type { PodManager } from './manager.js';
import { formatPodRef, type PodRef } from './naming.js';
import type { PodSpec } from './spec.js';
import type { PodView } from './status.js';
import type { WaitSpec } from './wait.js';

/**
 * A running pod, for code: its addresses, `exec` and `logs` that return their output, and
 * `stop`/`remove`. `await using pod = await session.run(...)` removes the pod (and everything
 * podctl set up for it) when the block ends, however it ends.
 */
export class PodHandle implements AsyncDisposable {
  private removed = false;

  constructor(
    private readonly manager: PodManager,
    readonly spec: PodSpec,
    private current: PodView,
    /** How `remove` removes the pod (a PodSession with backgroundRemoval hands it over). */
    private readonly removeVia: (ref: PodRef) => Promise<void> = async (ref) => {
      await manager.remove(ref, true);
    },
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get namespace(): string {
    return this.spec.namespace;
  }

  get ref(): PodRef {
    return { name: this.spec.name, namespace: this.spec.namespace };
  }

  /** The pod's addresses, primary network first (as of the last start or refresh). */
  get ips(): string[] {
    return this.current.ips;
  }

  /** The primary address (eth0). */
  get ip(): string {
    const ip = this.current.ips[0];
    if (!ip) throw new PodctlError('FAILED_PRECONDITION', `pod ${formatPodRef(this.ref)} has no IP (state ${this.current.state})`);
    return ip;
  }

  get view(): PodView {
    return this.current;
  }

  /** `http://<ip>:<port><path>`, for fetch in tests. */
  url(port: number, path = '/'): string {
    return `http://${this.ip}:${port}${path}`;
  }

  /** Reads the pod's state again (containers, IPs). */
  async refresh(): Promise<PodView> {
    this.current = await this.manager.inspect(this.ref);
    return this.current;
  }

  /** Runs a command in a container (default: the first app container) and returns its output and exit code. */
  async exec(command: string[], options: { container?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.manager.execCapture(this.ref, command, options);
  }

  /** What a container (default: the first app container; init containers too) printed so far, stdout and stderr. */
  async logs(options: { container?: string } = {}): Promise<string> {
    const output = collectOutput();
    await this.manager.logs(this.ref, output.sink, options);
    return output.text().both;
  }

  async stop(timeoutSeconds?: number): Promise<void> {
    await this.manager.stop(this.ref, timeoutSeconds);
    await this.refresh();
  }

  async start(wait?: WaitSpec): Promise<PodView> {
    this.current = await this.manager.start(this.ref, wait);
    return this.current;
  }

  /**
   * Removes the pod and everything podctl set up for it; a second call does nothing. In a
   * session with `backgroundRemoval` it returns at once and the session finishes the removal.
   */
  async remove(): Promise<void> {
    if (this.removed) return;
    await this.removeVia(this.ref);
    this.removed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}
