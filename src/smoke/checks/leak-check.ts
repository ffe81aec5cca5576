import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetworkConfigList } from '../../cni/index.js';
import type { NetProbe } from '../host/net-probe.js';

/** host-local's default dataDir; podctl's configs set /var/lib/podctl/cni/networks. */
export const HOST_LOCAL_DEFAULT_DIR = '/var/lib/cni/networks';

/** The directories where the network's IPAM keeps one file per allocated address. */
export function ipamDirs(net: NetworkConfigList): string[] {
  const dirs = new Set<string>();
  for (const plugin of net.plugins) {
    const ipam = plugin.ipam as { type?: unknown; dataDir?: unknown } | undefined;
    if (!ipam || typeof ipam !== 'object') continue;
    if (typeof ipam.dataDir === 'string') dirs.add(join(ipam.dataDir, net.name));
    else if (ipam.type === 'host-local') dirs.add(join(HOST_LOCAL_DEFAULT_DIR, net.name));
  }
  return [...dirs];
}

/** Files in `dirs` whose first line is `containerId` (host-local writes "<id>\r\n<ifname>"). */
export async function ipFilesOf(dirs: string[], containerId: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (name === 'lock' || name.startsWith('last_reserved_ip')) continue;
      const text = await readFile(join(dir, name), 'utf8').catch(() => '');
      if (text.split(/\r?\n/)[0]?.trim() === containerId) found.push(join(dir, name));
    }
  }
  return found;
}

/** Whether `line` names `id` as a whole word (so `pod-1` does not match `pod-10`). */
export function namesId(line: string, id: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_.-])`).test(line);
}

export interface LeakSubject {
  net: NetworkConfigList;
  containerId: string;
  netns: string;
  ifName: string;
  /** Host-side interfaces the ADD result named. */
  hostInterfaces: string[];
  /** Whether podctl's CNI cache still has the attachment. */
  cached(): Promise<boolean>;
}

/** What DEL left behind: IP files, host veths, the pod interface, iptables rules, the cache entry. */
export async function findLeaks(probe: NetProbe, s: LeakSubject): Promise<string[]> {
  const leaks: string[] = [];
  for (const file of await ipFilesOf(ipamDirs(s.net), s.containerId)) leaks.push(`IP file ${file} still names container ${s.containerId}`);
  for (const name of s.hostInterfaces) {
    if ((await probe.hostLinkKind(name)) === 'veth') leaks.push(`veth ${name} is still on the host`);
  }
  if (await probe.linkInNetns(s.netns, s.ifName)) leaks.push(`interface ${s.ifName} is still in netns ${s.netns}`);
  const rules = (await probe.iptablesRulesWith(s.containerId)).filter((l) => namesId(l, s.containerId));
  for (const rule of rules) leaks.push(`iptables rule still names the container: ${rule}`);
  if (await s.cached()) leaks.push(`the CNI cache still holds ${s.net.name}/${s.containerId}/${s.ifName}`);
  return leaks;
}
