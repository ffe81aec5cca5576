import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { networkBridge, type NetworkConfigList } from '../cni/index.js';
import { cidrFamily, firstHost } from '../util/cidr.js';
import type { ContainerSummary } from '../docker/containers.js';
import type { ProxyPod } from '../service/proxy.js';
import type { PodCheckpoint } from './checkpoint.js';
import { podKey, type PodRef } from './naming.js';
import { podViews } from './status.js';

/**
 * Pods as Services see them, from the same one labelled list call and checkpoints `ps` uses:
 * ready means running, wired, past its readiness wait and not on its way out (a pod being
 * stopped or removed is left out before its containers stop, so no new connection reaches it;
 * a Terminating one too, as Kubernetes' endpoints leave out terminating pods, even when the
 * process deleting it died before it got that far).
 */
export function servicePods(containers: ContainerSummary[], checkpoints: PodCheckpoint[], leaving: PodRef[], podDir: (ref: PodRef) => string): ProxyPod[] {
  const byKey = new Map(checkpoints.map((c) => [podKey(c), c]));
  const gone = new Set(leaving.map(podKey));
  return podViews(containers, checkpoints).map((view) => {
    const checkpoint = byKey.get(podKey(view));
    const live = view.state === 'running' || view.state === 'degraded';
    // A pod starting counts too: its resolv.conf already names the server, its plugins may be switching route_localnet on (start-pod.ts).
    const holding = (checkpoint?.phase === 'starting' || checkpoint?.phase === 'running') && !gone.has(podKey(view));
    return {
      name: view.name,
      namespace: view.namespace,
      labels: view.labels,
      ips: view.ips.map((ip) => ip.split('/')[0]!),
      ready: view.state === 'running' && checkpoint?.phase === 'running' && !checkpoint.awaitingReady && !checkpoint.deletionTimestamp && !gone.has(podKey(view)),
      ports: (checkpoint?.spec.containers ?? []).flatMap((c) => c.ports ?? []),
      ...(checkpoint?.spec.hostname !== undefined ? { hostname: checkpoint.spec.hostname } : {}),
      ...(checkpoint?.spec.subdomain !== undefined ? { subdomain: checkpoint.spec.subdomain } : {}),
      ...(live && checkpoint ? { hostsFile: join(podDir(view), 'hosts') } : {}),
      ...(holding && checkpoint?.clusterDns ? { clusterDns: true } : {}),
      ...(holding && checkpoint?.routeLocalnet ? { routeLocalnet: checkpoint.routeLocalnet } : {}),
    };
  });
}

/**
 * The default network's bridge (and its address) and subnets, from its config. A gateway
 * bridge's address is the one the bridge plugin gives it (the range's gateway, or the subnet's
 * first host), known before the bridge exists and whatever its link state: Node lists only
 * interfaces that are up and running, and a bridge without ports has no carrier, so reading
 * it there made the rules depend on whether a pod happened to be attached.
 */
export function bridgeOf(network: NetworkConfigList): { bridge?: { name: string; ip?: string }; subnets: string[] } {
  const plugin = network.plugins.find((p) => p.type === 'bridge');
  const name = networkBridge(network);
  const ipam = (plugin?.ipam ?? {}) as { ranges?: Array<Array<{ subnet?: string; gateway?: string }>>; subnet?: string; gateway?: string };
  const ranges = [...(ipam.ranges ?? []).flat(), { subnet: ipam.subnet, gateway: ipam.gateway }].filter((r): r is { subnet: string; gateway?: string } => cidrFamily(r.subnet) === 4);
  const subnets = ranges.map((r) => r.subnet);
  if (!plugin || !name) return { subnets };
  const gateway = plugin.isGateway === true || plugin.isDefaultGateway === true;
  const ip = gateway && ranges[0] ? (ranges[0].gateway ?? firstHost(ranges[0].subnet)) : networkInterfaces()[name]?.find((a) => a.family === 'IPv4')?.address;
  return { bridge: { name, ...(ip ? { ip } : {}) }, subnets };
}
