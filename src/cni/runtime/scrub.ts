import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetworkConfigList } from '../types.js';

/**
 * When DEL cannot run at all (the plugin binary was removed, the plugin hangs), a forced
 * removal still must not strand addresses. host-local keeps one file per address, named by
 * the IP and holding the container id (then the ifname) — a documented on-disk format — so
 * those files can be released directly. Other IPAM plugins are left to their own GC.
 */
const HOST_LOCAL_DEFAULT_DIR = '/var/lib/cni/networks';

export function hostLocalDirs(net: NetworkConfigList): string[] {
  const dirs: string[] = [];
  for (const plugin of net.plugins) {
    const ipam = plugin.ipam as { type?: unknown; dataDir?: unknown } | undefined;
    if (ipam?.type !== 'host-local') continue;
    const base = typeof ipam.dataDir === 'string' && ipam.dataDir !== '' ? ipam.dataDir : HOST_LOCAL_DEFAULT_DIR;
    dirs.push(join(base, net.name));
  }
  return dirs;
}

/** Removes the host-local address files of one attachment; returns the paths removed. */
export async function releaseHostLocalFiles(net: NetworkConfigList, containerId: string, ifName: string): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of hostLocalDirs(net)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (name === 'lock' || name.startsWith('last_reserved_ip')) continue;
      const path = join(dir, name);
      const [id, iface] = (await readFile(path, 'utf8').catch(() => '')).split(/\r?\n/).map((s) => s.trim());
      // Older host-local versions wrote only the id; newer ones add the ifname.
      if (id === containerId && (iface === undefined || iface === '' || iface === ifName)) {
        await rm(path, { force: true });
        removed.push(path);
      }
    }
  }
  return removed;
}
