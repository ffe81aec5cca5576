import { procSysctls, routeLocalnetKey, SysctlLedger, sysctlLedgerPath } from '../../service/sysctls.js';

/**
 * Plugins may switch route_localnet on at a host interface and never back (portmap does at
 * the bridge, for 127.0.0.1 host ports). A test run leaves the host as it found it: the
 * values of the interfaces that were there before go back, except where podctl's own
 * Services hold the key (a pod of podctl's publishes ports there now, behind their guard).
 */
export async function readRouteLocalnet(links: Iterable<string>): Promise<Map<string, string>> {
  const values = await Promise.all([...links].map(async (link) => [link, await procSysctls.read(routeLocalnetKey(link))] as const));
  return new Map(values.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
}

/** Writes back each value that changed since `before`; the interfaces it reset. */
export async function restoreRouteLocalnet(before: Map<string, string>, runDir: string): Promise<string[]> {
  const held = await new SysctlLedger(sysctlLedgerPath(runDir), procSysctls).held();
  const now = await readRouteLocalnet(before.keys());
  const changed = [...now].filter(([link, value]) => value !== before.get(link) && !(routeLocalnetKey(link) in held));
  await Promise.all(changed.map(([link]) => procSysctls.write(routeLocalnetKey(link), before.get(link)!)));
  return changed.map(([link]) => link);
}
