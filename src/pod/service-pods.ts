import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { NetworkConfigList } from '../cni/index.js';
import { cidrFamily } from '../util/cidr.js';
import type { ContainerSummary } from '../docker/containers.js';
import type { ProxyPod } from '../service/proxy.js';
import type { PodCheckpoint } from './checkpoint.js';
import { podKey, type PodRef } from './naming.js';
import { podViews } from './status.js';

/**
 * Pods as Services see them, from the same one labelled list call and checkpoints `ps` uses:
 * ready means running, wired and not on its way out (a pod being stopped or removed is left
 * out before its containers stop, so no new connection reaches it).
 */
export function servicePods(containers: ContainerSummary[], checkpoints: PodCheckpoint[], leaving: PodRef[], podDir: (ref: PodRef) => string): ProxyPod[] {
  const byKey = new Map(checkpoints.map((c) => [podKey(c), c]));
  const gone = new Set(leaving.map(podKey));
  return podViews(containers, checkpoints).map((view) => {
    const checkpoint = byKey.get(podKey(view));
    const live = view.state === 'running' || view.state === 'degraded';
    return {
      name: view.name,
      namespace: view.namespace,
      labels: view.labels,
      ips: view.ips.map((ip) => ip.split('/')[0]!),
      ready: view.state === 'running' && checkpoint?.phase === 'running' && !gone.has(podKey(view)),
      ports: (checkpoint?.spec.containers ?? []).flatMap((c) => c.ports ?? []),
      ...(checkpoint?.spec.hostname !== undefined ? { hostname: checkpoint.spec.hostname } : {}),
      ...(checkpoint?.spec.subdomain !== undefined ? { subdomain: checkpoint.spec.subdomain } : {}),
      ...(live && checkpoint ? { hostsFile: join(podDir(view), 'hosts') } : {}),
    };
  });
}

/** The default network's bridge (and its address, once it exists) and subnets, from its config. */
export function bridgeOf(network: NetworkConfigList): { bridge?: { name: string; ip?: string }; subnets: string[] } {
  const plugin = network.plugins.find((p) => p.type === 'bridge');
  const ipam = (plugin?.ipam ?? {}) as { ranges?: Array<Array<{ subnet?: string }>>; subnet?: string };
  const subnets = [...(ipam.ranges ?? []).flat().map((r) => r.subnet), ipam.subnet].filter((s): s is string => cidrFamily(s) === 4);
  if (!plugin) return { subnets };
  const name = typeof plugin.bridge === 'string' ? plugin.bridge : 'cni0';
  const ip = networkInterfaces()[name]?.find((a) => a.family === 'IPv4')?.address;
  return { bridge: { name, ...(ip ? { ip } : {}) }, subnets };
}
