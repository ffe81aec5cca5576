import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoOf, isPodctlError } from '../../util/errors.js';
import { readTextIfExists, removeIfExists, strayTempFiles, writeJsonAtomic } from '../../util/atomic-file.js';
import { configError } from '../errors.js';
import { parseResult } from '../result/parse-result.js';
import type { CachedAttachment } from '../types.js';

const KIND = 'podctl.cni.attachment/v1';

export type NewCacheEntry = Omit<CachedAttachment, 'file' | 'createdAt'>;

/**
 * One file per attachment, `<dir>/results/<network>-<containerId>-<ifName>`, holding what a
 * later DEL, CHECK or GC needs to replay the ADD exactly. Files are written atomically with
 * mode 0600 in 0700 directories. The names are validated before they get here.
 */
export class AttachmentCache {
  private readonly resultsDir: string;

  constructor(dir: string) {
    this.resultsDir = join(dir, 'results');
  }

  fileFor(network: string, containerId: string, ifName: string): string {
    return join(this.resultsDir, `${network}-${containerId}-${ifName}`);
  }

  async put(entry: NewCacheEntry): Promise<void> {
    const file = this.fileFor(entry.network, entry.containerId, entry.ifName);
    const { network, containerId, ifName, netns, args, capabilityArgs, config, complete, result } = entry;
    // Only a complete entry must outlive a power loss: the rules and links an unfinished ADD
    // made are gone after a reboot, and gc finds host-local's files by scanning their directories.
    await writeJsonAtomic(file, { kind: KIND, network, containerId, ifName, netns, args, capabilityArgs, config, complete, result, createdAt: new Date().toISOString() }, { durable: complete });
  }

  /** The entry, or undefined when there is none; a corrupt file is an INVALID_CONFIG error. */
  async get(network: string, containerId: string, ifName: string): Promise<CachedAttachment | undefined> {
    return this.read(this.fileFor(network, containerId, ifName));
  }

  async remove(network: string, containerId: string, ifName: string): Promise<void> {
    await removeIfExists(this.fileFor(network, containerId, ifName));
  }

  /** Half-written entries of a podctl killed mid-write (never read: list skips them). */
  strayWrites(): Promise<string[]> {
    return strayTempFiles(this.resultsDir);
  }

  /** Every readable entry plus the files that could not be read. */
  async list(): Promise<{ entries: CachedAttachment[]; unreadable: Array<{ file: string; error: Error }> }> {
    let names: string[];
    try {
      names = await readdir(this.resultsDir);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return { entries: [], unreadable: [] };
      throw err;
    }
    const entries: CachedAttachment[] = [];
    const unreadable: Array<{ file: string; error: Error }> = [];
    for (const name of names.filter((n) => !n.startsWith('.')).sort()) {
      const file = join(this.resultsDir, name);
      try {
        const entry = await this.read(file);
        if (entry) entries.push(entry);
      } catch (err) {
        if (!isPodctlError(err)) throw err;
        unreadable.push({ file, error: err });
      }
    }
    return { entries, unreadable };
  }

  private async read(file: string): Promise<CachedAttachment | undefined> {
    const text = await readTextIfExists(file);
    if (text === undefined) return undefined;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw configError(file, undefined, 'the CNI cache entry is not JSON');
    }
    if (raw?.kind !== KIND) throw configError(file, 'kind', `not a podctl CNI cache entry (${JSON.stringify(raw?.kind)})`, raw?.kind);
    for (const key of ['network', 'containerId', 'ifName', 'netns', 'config']) {
      if (typeof raw[key] !== 'string') throw configError(file, key, 'is missing from the CNI cache entry');
    }
    // Entries written before the `complete` field existed are complete ones.
    const complete = raw.complete !== false;
    let result;
    try {
      result = raw.result === undefined && !complete ? undefined : parseResult(raw.result);
    } catch (err) {
      throw configError(file, 'result', isPodctlError(err) ? err.message : String(err));
    }
    return {
      network: raw.network as string,
      containerId: raw.containerId as string,
      ifName: raw.ifName as string,
      netns: raw.netns as string,
      args: Array.isArray(raw.args) ? (raw.args as Array<[string, string]>) : [],
      capabilityArgs: (raw.capabilityArgs as Record<string, unknown> | undefined) ?? {},
      config: raw.config as string,
      complete,
      ...(result ? { result } : {}),
      createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : '',
      file,
    };
  }
}
