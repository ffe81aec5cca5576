import type { HookResult, Packet } from './netfilter/evaluate.js';
import type { Hop, PodInfo, ServiceInfo } from './types.js';

/**
 * The Service step of a path: which service an address and port belong to, the map element
 * that sent the packet to its chain, every candidate endpoint, and the DNAT that was picked.
 * Read from the rules the packet hit in podctl's Services table (`ip podctl`, rendered by
 * src/service), so it shows what the kernel holds, not what podctl meant to write.
 */
import { TABLE as SERVICE_TABLE } from '../service/rules.js';

export { SERVICE_TABLE };

/** `ep-<ns>/<name>/<proto>/<port>/<ip>/<port>` → `ip:port`. */
export const endpointOfChain = (chain: string): string => {
  const parts = chain.split('/');
  return parts.length >= 2 ? `${parts.at(-2)}:${parts.at(-1)}` : chain;
};

export function findService(services: ServiceInfo[] | undefined, p: Packet): { service: ServiceInfo; nodePort: boolean } | undefined {
  for (const service of services ?? []) {
    for (const port of service.ports) {
      if (port.protocol !== p.protocol) continue;
      if (service.clusterIP === p.daddr && port.port === p.dport) return { service, nodePort: false };
      if (port.nodePort === p.dport) return { service, nodePort: true };
    }
  }
  return undefined;
}

export function serviceHop(result: HookResult, before: Packet, services: ServiceInfo[] | undefined, pods: PodInfo[]): Hop | undefined {
  const dnat = result.nat.find((n) => n.kind === 'dnat' && n.rule.table === SERVICE_TABLE);
  if (!dnat) return undefined;
  const found = findService(services, before);
  const name = found ? `service ${found.service.namespace}/${found.service.name}` : 'service';
  const kind = found?.nodePort ? 'NodePort' : 'ClusterIP';
  const podAt = (ip: string) => pods.find((p) => p.ips.includes(ip));
  const to = `${dnat.addr}:${dnat.port ?? before.dport}`;
  const toPod = dnat.addr ? podAt(dnat.addr) : undefined;
  const choice = result.choices.find((c) => c.rule.table === SERVICE_TABLE);
  const candidates = choice?.candidates.map(endpointOfChain) ?? [to];
  const details = result.hits.filter((h) => h.table === SERVICE_TABLE && h.text.includes('vmap @')).map((h) => `map: ${h.chain}: ${h.text} → ${h.action}`);
  candidates.forEach((c, i) => {
    const pod = podAt(c.split(':')[0] ?? '');
    details.push(`${(choice?.chosen ?? 0) === i ? '→' : ' '} endpoint ${c}${pod ? ` pod ${pod.namespace}/${pod.name}` : ' (no running pod has this address)'}`);
  });
  return {
    kind: 'service',
    title: `${name} ${before.daddr}:${before.dport}/${before.protocol} (${kind}): ${candidates.length} endpoint(s), DNAT to ${to}${toPod ? ` (pod ${toPod.namespace}/${toPod.name})` : ''}`,
    details,
    facts: { ...(found ? { service: `${found.service.namespace}/${found.service.name}` } : {}), address: `${before.daddr}:${before.dport}`, endpoints: candidates.join(','), dnat: to },
  };
}

/** Why podctl's Services table stopped a packet, when it did. */
export function serviceBlock(result: HookResult, p: Packet, services: ServiceInfo[] | undefined): { reason: string; fix: string } | undefined {
  const by = result.decidedBy;
  if (!by || by.chain.table !== SERVICE_TABLE) return undefined;
  const found = findService(services, p);
  const name = found ? `service ${found.service.namespace}/${found.service.name}` : `the service at ${p.daddr}:${p.dport}/${p.protocol}`;
  if (result.hits.some((h) => h.action.includes('no-endpoint') || h.text.includes('@no-endpoint'))) {
    return {
      reason: `${name} has no endpoints: podctl's Services table ${result.verdict === 'reject' ? 'rejects' : 'drops'} it (${by.chain.name}: ${by.rule?.text ?? result.verdict})`,
      fix: found ? `run ready pods whose labels match its selector (podctl get endpoints ${found.service.name} -n ${found.service.namespace} shows none)` : 'run ready pods that match the service\'s selector',
    };
  }
  if (result.hits.some((h) => h.text.includes('@cluster-ips'))) {
    return { reason: `${p.daddr} is a ClusterIP, but no service port ${p.dport}/${p.protocol} is on it`, fix: 'use one of the service\'s ports (podctl get svc)' };
  }
  return undefined;
}
