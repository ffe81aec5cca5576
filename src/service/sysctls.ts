import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../util/atomic-file.js';
import { errnoOf } from '../util/errors.js';

/**
 * The host sysctls Services change, and the ledger that gives each back.
 *
 * A key is its path under /proc/sys (`net/ipv4/conf/podctl0/route_localnet`). Before podctl
 * first changes one it records the value it found, durably, in `<run dir>/services/sysctls.json`
 * (the run dir: a reboot resets the kernel's values and empties it alike). While a key is in
 * the ledger podctl owns it; when no service needs it, podctl writes the recorded value back
 * and only then forgets it. So a podctl killed at any point leaves either the host's first
 * value or a ledger entry that the next sync (or `podctl gc`) puts back; never a value podctl
 * set that no one will undo, and never podctl's own value recorded as the first.
 */
/** Where the ledger of a run dir lives. */
export const sysctlLedgerPath = (runDir: string) => join(runDir, 'services', 'sysctls.json');

export const BRIDGE_NF_CALL_IPTABLES = 'net/bridge/bridge-nf-call-iptables';
export const routeLocalnetKey = (iface: string) => `net/ipv4/conf/${iface}/route_localnet`;
export const isRouteLocalnet = (key: string) => /^net\/ipv4\/conf\/[^/]+\/route_localnet$/.test(key);

/** /proc/sys as Services use it; a Map in unit tests. */
export interface SysctlIO {
  /** The value, or undefined when the host has no such key (interface gone, module not loaded). */
  read(key: string): Promise<string | undefined>;
  /** False when the host has no such key. */
  write(key: string, value: string): Promise<boolean>;
}

export const procSysctls: SysctlIO = {
  async read(key) {
    try {
      return (await readFile(`/proc/sys/${key}`, 'utf8')).trim();
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return undefined;
      throw err;
    }
  },
  async write(key, value) {
    try {
      await writeFile(`/proc/sys/${key}`, `${value}\n`);
      return true;
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return false;
      throw err;
    }
  },
};

/** Key -> the value the host had before podctl changed it. */
export type Held = Record<string, string>;

export class SysctlLedger {
  constructor(
    private readonly path: string,
    private readonly io: SysctlIO,
  ) {}

  async held(): Promise<Held> {
    return (await readJsonIfExists<Held>(this.path)) ?? {};
  }

  /**
   * Writes back the first value of every held key not in `keep`, then forgets those keys:
   * a kill in between leaves them held, and the next release writes the same values again.
   */
  async release(keep: ReadonlySet<string>): Promise<string[]> {
    const held = await this.held();
    const back = Object.keys(held).filter((key) => !keep.has(key));
    if (back.length === 0) return [];
    for (const key of back) await this.io.write(key, held[key]!);
    await this.save(Object.fromEntries(Object.entries(held).filter(([key]) => keep.has(key))));
    return back;
  }

  /**
   * Records the current value of each key not held yet, durably, before anything changes it.
   * A key the host lacks is left out, unless `absentAs` says what its absence means (a module
   * not loaded: br_netfilter's keys appear with the module, on).
   */
  async record(keys: Array<{ key: string; absentAs?: string }>): Promise<void> {
    const held = await this.held();
    let changed = false;
    for (const { key, absentAs } of keys) {
      if (key in held) continue;
      const value = (await this.io.read(key)) ?? absentAs;
      if (value === undefined) continue;
      held[key] = value;
      changed = true;
    }
    if (changed) await this.save(held);
  }

  /**
   * Holds a key whose first value is already known (a podctl from before the ledger wrote it
   * elsewhere): the ledger gives it back like any other. A key held already keeps its value.
   */
  async adopt(key: string, first: string): Promise<void> {
    const held = await this.held();
    if (key in held) return;
    await this.save({ ...held, [key]: first });
  }

  /** Sets a key the ledger holds; one it does not hold stays as it is (its first value would be lost). */
  async set(key: string, value: string): Promise<void> {
    const held = await this.held();
    if (!(key in held)) return;
    if ((await this.io.read(key)) !== value) await this.io.write(key, value);
  }

  private async save(held: Held): Promise<void> {
    if (Object.keys(held).length === 0) await removeIfExists(this.path);
    else await writeJsonAtomic(this.path, held, { durable: true });
  }
}
