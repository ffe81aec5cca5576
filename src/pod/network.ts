/**
 * The pod's side of CNI: which networks, which interface names, which CNI_ARGS and
 * capability args — the same for ADD and DEL, so DEL releases exactly what ADD took.
 */

import type { Logger } from '../util/logger.js';
import type { PodCheckpoint, AttachmentRecord } from './checkpoint.js';
import type { CniDns } from './pod-files.js';
import { ifNameFor, type PodSpec } from './spec.js';
import type { CniRuntime, NetworkConfigList, RuntimeConf } from '../cni/index.js';
import { networkBridge, toCurrentResult } from '../cni/index.js';

export interface PodNetworkContext {
  spec: PodSpec;
  pauseId: string;
  netnsPath: string;
}

const BURST_BITS = 2 ** 31 - 1;

/**
 * Where the portmap plugin switches route_localnet on for a pod's host ports: the network's
 * bridge, when portmap takes port mappings and `snat` is not off (it defaults to on).
 */
export function portmapLocalnetBridge(network: NetworkConfigList): string | undefined {
  const portmap = network.plugins.find((p) => p.type === 'portmap' && (p.capabilities as Record<string, unknown> | undefined)?.portMappings === true);
  if (!portmap || portmap.snat === false) return undefined;
  return networkBridge(network);
}

export function runtimeConfFor(ctx: PodNetworkContext, index: number): RuntimeConf {
  const capabilityArgs: Record<string, unknown> = {};
  // Host ports belong to the pod's primary network, as in Kubernetes.
  if (index === 0 && ctx.spec.portMappings.length > 0) {
    capabilityArgs.portMappings = ctx.spec.portMappings.map((m) => ({
      hostPort: m.hostPort,
      containerPort: m.containerPort,
      protocol: m.protocol,
      ...(m.hostIP ? { hostIP: m.hostIP } : {}),
    }));
  }
  if (index === 0 && ctx.spec.dns) {
    capabilityArgs.dns = { servers: ctx.spec.dns.servers, searches: ctx.spec.dns.searches, options: ctx.spec.dns.options };
  }
  if (index === 0 && ctx.spec.bandwidth) {
    // The bandwidth plugin wants a burst with each rate; a generous one (as Kubernetes uses).
    const { ingressRate, egressRate } = ctx.spec.bandwidth;
    capabilityArgs.bandwidth = {
      ...(ingressRate ? { ingressRate, ingressBurst: BURST_BITS } : {}),
      ...(egressRate ? { egressRate, egressBurst: BURST_BITS } : {}),
    };
  }
  return {
    containerId: ctx.pauseId,
    netns: ctx.netnsPath,
    ifName: ifNameFor(index),
    args: [
      ['K8S_POD_NAMESPACE', ctx.spec.namespace],
      ['K8S_POD_NAME', ctx.spec.name],
      ['K8S_POD_INFRA_CONTAINER_ID', ctx.pauseId],
    ],
    capabilityArgs,
  };
}

export interface AttachOutcome {
  record: AttachmentRecord;
  dns?: CniDns;
  /** The destinations the result routes (the cluster DNS is used only when one covers its address). */
  routes: string[];
}

/** CNI ADD of one network; the caller has already recorded that DEL is owed. */
export async function attachNetwork(cni: CniRuntime, net: NetworkConfigList, ctx: PodNetworkContext, index: number): Promise<AttachOutcome> {
  const rt = runtimeConfFor(ctx, index);
  const result = toCurrentResult(await cni.addNetworkList(net, rt));
  const sandboxIfaces = new Set(
    (result.interfaces ?? []).flatMap((iface, i) => (iface.sandbox ? [i] : [])),
  );
  // IPs on the container's interface (those whose interface index points at a sandbox iface);
  // a result without interface indexes gives all its IPs.
  const ips = (result.ips ?? [])
    .filter((ip) => ip.interface === undefined || sandboxIfaces.size === 0 || sandboxIfaces.has(ip.interface))
    .map((ip) => ip.address.split('/')[0] ?? ip.address);
  const iface = (result.interfaces ?? []).find((i) => i.sandbox && i.name === rt.ifName) ?? (result.interfaces ?? []).find((i) => i.sandbox);
  return {
    record: { network: net.name, ifName: rt.ifName, ips, ...(iface?.mac ? { mac: iface.mac } : {}) },
    dns: result.dns,
    routes: (result.routes ?? []).map((r) => r.dst),
  };
}

export interface DetachFailure {
  network: string;
  ifName: string;
  error: Error;
}

/**
 * CNI DEL for every network the checkpoint says is (or may be) attached, last first. Uses
 * the CNI cache, so it works after the config file changed; keeps going past failures and
 * returns them, so one broken plugin does not strand the other networks.
 */
export async function detachNetworks(
  cni: CniRuntime,
  checkpoint: PodCheckpoint,
  netnsPath: string,
  logger: Logger,
): Promise<DetachFailure[]> {
  if (!checkpoint.pauseId) return [];
  const ctx: PodNetworkContext = { spec: checkpoint.spec, pauseId: checkpoint.pauseId, netnsPath };
  const owed = checkpoint.spec.networks
    .map((network, index) => ({ network, index }))
    .filter(({ network }) => checkpoint.networksPending.includes(network) || checkpoint.attachments.some((a) => a.network === network));
  const failures: DetachFailure[] = [];
  for (const { network, index } of owed.reverse()) {
    try {
      await cni.delNetworkList(undefined, { ...runtimeConfFor(ctx, index), network });
      logger.debug('cni del', { network, ifName: ifNameFor(index) });
    } catch (err) {
      failures.push({ network, ifName: ifNameFor(index), error: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  return failures;
}
