import { isHeadless, type Endpoint, type ServiceEndpoints, type ServicePort, type ServiceRecord } from './types.js';

/** What the endpoints controller needs of a pod: from one labelled list call plus checkpoints. */
export interface EndpointPod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** The pod's addresses (without prefix length); the first is its endpoint address. */
  ips: string[];
  /** Running, wired and not on its way out. */
  ready: boolean;
  ports: Array<{ name?: string; containerPort: number; protocol: string }>;
  /** spec.hostname and spec.subdomain: with a headless service of the subdomain's name, the pod's own DNS name. */
  hostname?: string;
  subdomain?: string;
}

export const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * The endpoints controller as a pure function: for each service, the ready pods of its
 * namespace whose labels match its selector, with each port's target resolved (a number, or
 * the named port a container declares).
 */
export function computeEndpoints(services: ServiceRecord[], pods: EndpointPod[]): ServiceEndpoints[] {
  return services.map((service) => {
    const selected = pods
      .filter((p) => p.namespace === service.namespace && p.ready && p.ips.length > 0 && selects(service.selector, p.labels))
      .sort((a, b) => a.name.localeCompare(b.name));
    const unresolved = new Set<string>();
    const ports = service.ports.map((port) => ({
      port,
      endpoints: selected.flatMap((pod): Endpoint[] => {
        const target = targetOf(port, pod);
        if (target === undefined) {
          unresolved.add(String(port.targetPort));
          return [];
        }
        return [{ ip: pod.ips[0]!, port: target, pod: pod.name }];
      }),
    }));
    // A named port some pod declares is resolved; one that no selected pod declares is worth a warning.
    for (const { port, endpoints } of ports) if (endpoints.length > 0) unresolved.delete(String(port.targetPort));
    // As Kubernetes: a selected pod whose subdomain is this headless service gets <hostname>.<service>.
    const named = isHeadless(service) ? selected.filter((p) => p.hostname !== undefined && p.subdomain === service.name).map((p) => ({ ip: p.ips[0]!, hostname: p.hostname! })) : [];
    return { service, ports, podIPs: selected.map((p) => p.ips[0]!), podHosts: named, unresolved: [...unresolved] };
  });
}

function targetOf(port: ServicePort, pod: EndpointPod): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return pod.ports.find((p) => p.name === port.targetPort && p.protocol.toUpperCase() === port.protocol)?.containerPort;
}

/**
 * The UDP flows the rules send somewhere, one key each: when a key disappears its conntrack
 * entries must be deleted, or a client keeps talking to an endpoint that left (UDP has no
 * connection for the kernel to see end).
 */
export function udpFlows(services: ServiceEndpoints[]): string[] {
  return services.flatMap((s) =>
    isHeadless(s.service)
      ? []
      : s.ports
          .filter((p) => p.port.protocol === 'UDP')
          .flatMap((p) => p.endpoints.map((e) => [s.service.clusterIP, p.port.port, p.port.nodePort ?? '', e.ip].join(' '))),
  );
}

export interface UdpFlow {
  clusterIP: string;
  port: number;
  nodePort?: number;
  endpointIP: string;
}

export function removedFlows(before: string[], after: string[]): UdpFlow[] {
  const now = new Set(after);
  return [...new Set(before)]
    .filter((k) => !now.has(k))
    .map((k) => {
      const [clusterIP, port, nodePort, endpointIP] = k.split(' ');
      return { clusterIP: clusterIP!, port: Number(port), ...(nodePort ? { nodePort: Number(nodePort) } : {}), endpointIP: endpointIP! };
    });
}
