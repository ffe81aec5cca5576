import type { BackOffRecord } from './backoff.js';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, readJsonIfExists, strayTempFiles, writeJsonAtomic } from '../util/atomic-file.js';
import { PodctlError, errnoOf } from '../util/errors.js';
import { rewriteInPlace } from '../util/rewrite-in-place.js';
import { formatPodRef, pathKey, type PodRef } from './naming.js';
import { specForDisk, type PodSpec } from './spec.js';

/** One CNI attachment of a pod, as recorded after its ADD succeeded. */
export interface AttachmentRecord {
  network: string;
  ifName: string;
  ips: string[];
  mac?: string;
}

/**
 * What podctl has set up for a pod, beyond what Docker labels say. Written atomically
 * *before* each side effect that needs undoing (the phase says what was under way), so a
 * process killed at any point leaves enough for `rm` or `gc` to finish the job.
 */
export interface PodCheckpoint {
  version: 1;
  name: string;
  namespace: string;
  spec: PodSpec;
  pauseId?: string;
  netnsName: string;
  /** True once the namespace pin exists (or is being made): podctl owns that path. */
  netnsPinned: boolean;
  /** Networks whose ADD has started: DEL is owed for each even if ADD did not finish. */
  networksPending: string[];
  attachments: AttachmentRecord[];
  phase: 'creating' | 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'removing';
  /** When the pause last started under podctl: a later start means it restarted behind podctl's back. */
  pauseStartedAt?: string;
  /** Set while `run` brings a new pod up: if the process dies first, gc removes the pod. */
  removeOnInterrupt: boolean;
  /**
   * Set while `run`/`start` waits for the pod's readiness (--wait-*, readiness probes): Services
   * leave it out until it passes, so a rollout sends no request to a server not yet listening.
   */
  awaitingReady?: boolean;
  /** Its resolv.conf names the cluster DNS server: while it runs, the server must too (service-pods.ts). */
  clusterDns?: boolean;
  /**
   * The host interface on which its published ports need route_localnet (the portmap plugin
   * switches it on there for 127.0.0.1 host ports): while the pod runs, Services hold that
   * sysctl in their ledger, behind the loopback guard (start-pod.ts, service/proxy.ts).
   */
  routeLocalnet?: string;
  createdAt: string;
  /**
   * Per container, the restarts Docker's RestartCount no longer shows: each liveness restart by
   * `podctl watch` (a stop and start, which resets Docker's count) adds 1 plus Docker's count
   * before it. Cleared when the pod is started. See `restarts.ts`.
   */
  restarts?: Record<string, number>;
  /**
   * Set when the pod's deletion began (Kubernetes' metadata.deletionTimestamp): the pod is
   * Terminating from then on, and no controller or kubelet brings it back.
   */
  deletionTimestamp?: string;
  /** The grace period its deletion gives the containers (metadata.deletionGracePeriodSeconds). */
  deletionGracePeriodSeconds?: number;
  /**
   * Set while the kubelet (serve) makes the pod a new sandbox after its pause died: a serve
   * killed meanwhile leaves it, and the next one makes the sandbox again (recreateSandbox).
   */
  sandboxRecreation?: boolean;
  /** Per container, serve's CrashLoopBackOff (backoff.ts): kept here so a new serve goes on with the same delays. */
  backOff?: Record<string, BackOffRecord>;
  /**
   * The engine endpoint the pod's containers live on (DOCKER_HOST form). Several engines can
   * share one host and one state dir; each podctl sees and collects only its own engine's
   * pods. Absent in checkpoints written before podctl recorded it: those are anyone's.
   */
  engine?: string;
}

/** Per-pod directories under <stateDir>/pods/<namespace>_<name>/ (0700, files 0600). */
export class PodStore {
  /** `engine`: the endpoint this podctl talks to; its pods are the ones it reads and lists. */
  constructor(
    private readonly stateDir: string,
    private readonly engine?: string,
  ) {}

  podDir(ref: PodRef): string {
    return join(this.stateDir, 'pods', pathKey(ref));
  }

  private checkpointPath(ref: PodRef): string {
    return join(this.podDir(ref), 'checkpoint.json');
  }

  /** The pod's checkpoint; a pod of another engine is an error that names that engine. */
  async read(ref: PodRef): Promise<PodCheckpoint | undefined> {
    const checkpoint = await readJsonIfExists<PodCheckpoint>(this.checkpointPath(ref));
    if (checkpoint && !this.owns(checkpoint)) {
      throw new PodctlError('FAILED_PRECONDITION', `pod ${formatPodRef(ref)} lives on the engine at ${checkpoint.engine}, not on ${this.engine}`, {
        hint: `pod names are shared by every engine on this host; to work on this pod run podctl with DOCKER_HOST=${checkpoint.engine}`,
      });
    }
    return checkpoint;
  }

  async write(checkpoint: PodCheckpoint): Promise<void> {
    checkpoint.engine ??= this.engine;
    await writeJsonAtomic(this.checkpointPath(checkpoint), { ...checkpoint, spec: specForDisk(checkpoint.spec) });
  }

  /** Writes a file that is bind-mounted into the pod's containers (resolv.conf, hosts). */
  async writePodFile(ref: PodRef, name: string, content: string): Promise<string> {
    const dir = this.podDir(ref);
    await ensurePrivateDir(dir);
    const path = join(dir, name);
    // In place, never empty nor short to a reader: a running container's bind mount keeps the inode.
    await rewriteInPlace(path, content);
    return path;
  }

  /**
   * Creates the named pod files that are missing, empty, leaving existing ones as they are.
   * They are bind-mount sources: podman checks a source when the container is created (and
   * makes a missing one a directory), dockerd only when it starts, so they exist before either.
   */
  async ensurePodFiles(ref: PodRef, names: readonly string[]): Promise<void> {
    const dir = this.podDir(ref);
    await ensurePrivateDir(dir);
    await Promise.all(names.map((name) => writeFile(join(dir, name), '', { mode: 0o644, flag: 'a' })));
  }

  async remove(ref: PodRef): Promise<void> {
    await rm(this.podDir(ref), { recursive: true, force: true });
  }

  /** Half-written checkpoints of a podctl killed mid-write, in every pod's directory (for `gc`). */
  async strayWrites(): Promise<string[]> {
    const root = join(this.stateDir, 'pods');
    const keys = await readdir(root).catch(() => [] as string[]);
    return (await Promise.all(keys.map((key) => strayTempFiles(join(root, key))))).flat();
  }

  /** This engine's pods that have a checkpoint, for `ps` and `gc`. */
  async list(): Promise<PodCheckpoint[]> {
    return (await this.listAllEngines()).filter((c) => this.owns(c));
  }

  /**
   * Every engine's pods: what `gc` must not release (their addresses, their attachments);
   * unreadable ones are skipped. Read synchronously: a hundred small files take ~1.5 ms so,
   * ~10 ms through the thread pool.
   */
  async listAllEngines(): Promise<PodCheckpoint[]> {
    const root = join(this.stateDir, 'pods');
    let keys: string[];
    try {
      keys = readdirSync(root);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return [];
      throw err;
    }
    return keys.flatMap((key) => {
      try {
        return [JSON.parse(readFileSync(join(root, key, 'checkpoint.json'), 'utf8')) as PodCheckpoint];
      } catch {
        return [];
      }
    });
  }

  private owns(checkpoint: PodCheckpoint): boolean {
    return this.engine === undefined || checkpoint.engine === undefined || checkpoint.engine === this.engine;
  }
}
