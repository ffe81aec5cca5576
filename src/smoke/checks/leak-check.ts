import type { NetworkConfigList } from '../../cni/index.js';
import { allocationsOf, hostLocalDirs } from '../../cni/host-local.js';
import type { NetProbe } from '../host/net-probe.js';

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
  for (const file of await allocationsOf(hostLocalDirs(s.net), s.containerId)) leaks.push(`IP file ${file} still names container ${s.containerId}`);
  for (const name of s.hostInterfaces) {
    if ((await probe.hostLinkKind(name)) === 'veth') leaks.push(`veth ${name} is still on the host`);
  }
  if (await probe.linkInNetns(s.netns, s.ifName)) leaks.push(`interface ${s.ifName} is still in netns ${s.netns}`);
  const rules = (await probe.iptablesRulesWith(s.containerId)).filter((l) => namesId(l, s.containerId));
  for (const rule of rules) leaks.push(`iptables rule still names the container: ${rule}`);
  if (await s.cached()) leaks.push(`the CNI cache still holds ${s.net.name}/${s.containerId}/${s.ifName}`);
  return leaks;
}
