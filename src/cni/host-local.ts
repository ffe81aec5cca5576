/**
 * Everything podctl knows about host-local's files, in one place. host-local keeps one file
 * per allocated address in `<dataDir>/<network name>/`, named by the IP and holding the
 * container id, then (since plugins 0.9) a line with the ifname; beside them it keeps `lock`
 * and `last_reserved_ip.<range>`. That documented on-disk format lets podctl release the
 * addresses of an attachment whose DEL cannot run, find what a DEL left (`cni test`), and let
 * gc find addresses no pod holds. Other IPAM plugins are left to their own GC.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetworkConfigList } from './types.js';

/** host-local's dataDir when a config sets none. */
export const HOST_LOCAL_DEFAULT_DATA_DIR = '/var/lib/cni/networks';

/** One allocated address: its file, and the attachment it belongs to. */
export interface HostLocalAllocation {
  path: string;
  containerId: string;
  /** Absent in files older host-local versions wrote. */
  ifName?: string;
}

/** The directories host-local uses for this network: `<dataDir>/<name>`, once each. */
export function hostLocalDirs(net: NetworkConfigList): string[] {
  const dirs = new Set<string>();
  for (const plugin of net.plugins) {
    const ipam = plugin.ipam as { type?: unknown; dataDir?: unknown } | undefined;
    if (ipam?.type !== 'host-local') continue;
    const base = typeof ipam.dataDir === 'string' && ipam.dataDir !== '' ? ipam.dataDir : HOST_LOCAL_DEFAULT_DATA_DIR;
    dirs.add(join(base, net.name));
  }
  return [...dirs];
}

/** The allocation files in `dirs` (missing dirs are empty); host-local's own files are skipped. */
export async function readAllocations(dirs: Iterable<string>): Promise<HostLocalAllocation[]> {
  const out: HostLocalAllocation[] = [];
  for (const dir of new Set(dirs)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (name === 'lock' || name.startsWith('last_reserved_ip')) continue;
      const path = join(dir, name);
      const [containerId = '', ifName = ''] = (await readFile(path, 'utf8').catch(() => '')).split(/\r?\n/).map((s) => s.trim());
      if (containerId !== '') out.push({ path, containerId, ...(ifName !== '' ? { ifName } : {}) });
    }
  }
  return out;
}

/** Whether an allocation belongs to the attachment (an id-only file matches any ifname). */
export function belongsTo(a: HostLocalAllocation, containerId: string, ifName?: string): boolean {
  return a.containerId === containerId && (ifName === undefined || a.ifName === undefined || a.ifName === ifName);
}

/** The allocation files of one container (any ifname unless given) in `dirs`. */
export async function allocationsOf(dirs: Iterable<string>, containerId: string, ifName?: string): Promise<string[]> {
  return (await readAllocations(dirs)).filter((a) => belongsTo(a, containerId, ifName)).map((a) => a.path);
}

/** Removes the address files of one attachment of `net`; returns the paths removed. */
export async function releaseAllocations(net: NetworkConfigList, containerId: string, ifName: string): Promise<string[]> {
  const paths = await allocationsOf(hostLocalDirs(net), containerId, ifName);
  await Promise.all(paths.map((p) => rm(p, { force: true })));
  return paths;
}
