import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, readJsonIfExists, writeJsonAtomic } from '../util/atomic-file.js';
import { errnoOf } from '../util/errors.js';
import { pathKey, type PodRef } from './naming.js';
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
  createdAt: string;
}

/** Per-pod directories under <stateDir>/pods/<namespace>_<name>/ (0700, files 0600). */
export class PodStore {
  constructor(private readonly stateDir: string) {}

  podDir(ref: PodRef): string {
    return join(this.stateDir, 'pods', pathKey(ref));
  }

  private checkpointPath(ref: PodRef): string {
    return join(this.podDir(ref), 'checkpoint.json');
  }

  async read(ref: PodRef): Promise<PodCheckpoint | undefined> {
    return readJsonIfExists<PodCheckpoint>(this.checkpointPath(ref));
  }

  async write(checkpoint: PodCheckpoint): Promise<void> {
    await writeJsonAtomic(this.checkpointPath(checkpoint), { ...checkpoint, spec: specForDisk(checkpoint.spec) });
  }

  /** Writes a file that is bind-mounted into the pod's containers (resolv.conf, hosts). */
  async writePodFile(ref: PodRef, name: string, content: string): Promise<string> {
    const dir = this.podDir(ref);
    await ensurePrivateDir(dir);
    const path = join(dir, name);
    // In place, not by rename: a running container's bind mount keeps the old inode.
    await writeFile(path, content, { mode: 0o644 });
    return path;
  }

  async remove(ref: PodRef): Promise<void> {
    await rm(this.podDir(ref), { recursive: true, force: true });
  }

  /** Every pod that has a checkpoint, for `ps` and `gc`. */
  async list(): Promise<PodCheckpoint[]> {
    let keys: string[];
    try {
      keys = await readdir(join(this.stateDir, 'pods'));
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return [];
      throw err;
    }
    const all = await Promise.all(
      keys.map((key) => readJsonIfExists<PodCheckpoint>(join(this.stateDir, 'pods', key, 'checkpoint.json')).catch(() => undefined)),
    );
    return all.filter((c): c is PodCheckpoint => c !== undefined);
  }
}
