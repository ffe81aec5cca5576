import { isHeadless, type ServiceEndpoints } from '../../service/types.js';

/** A stored service as the Kubernetes API would show it (`get svc -o yaml`), with podctl's allocations. */
export function serviceManifest({ service }: ServiceEndpoints): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service.name, namespace: service.namespace, uid: service.uid, creationTimestamp: service.createdAt, ...(Object.keys(service.labels).length ? { labels: service.labels } : {}), ...(service.annotations ? { annotations: service.annotations } : {}) },
    spec: {
      type: service.type,
      selector: service.selector,
      clusterIP: service.clusterIP,
      clusterIPs: [service.clusterIP],
      ports: service.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), protocol: p.protocol, port: p.port, targetPort: p.targetPort, ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}) })),
      sessionAffinity: 'None',
    },
  };
}

/** The Endpoints object Kubernetes' endpoints controller would write for a service. */
export function endpointsManifest({ service, ports }: ServiceEndpoints): Record<string, unknown> {
  const byAddresses = new Map<string, { addresses: Array<{ ip: string; targetRef: { kind: string; name: string; namespace: string } }>; ports: Array<Record<string, unknown>> }>();
  for (const { port, endpoints } of ports) {
    if (endpoints.length === 0) continue;
    const key = endpoints.map((e) => e.ip).sort().join(',');
    const subset = byAddresses.get(key) ?? { addresses: endpoints.map((e) => ({ ip: e.ip, targetRef: { kind: 'Pod', name: e.pod, namespace: service.namespace } })), ports: [] };
    subset.ports.push({ ...(port.name ? { name: port.name } : {}), port: endpoints[0]!.port, protocol: port.protocol });
    byAddresses.set(key, subset);
  }
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: service.name, namespace: service.namespace }, subsets: [...byAddresses.values()] };
}

/** `10.99.0.5:8080,10.99.0.6:8080` as `get endpoints` prints them (`<none>` when empty). */
export function endpointsText({ ports }: ServiceEndpoints, max = 3): string {
  const all = [...new Set(ports.flatMap((p) => p.endpoints.map((e) => `${e.ip}:${e.port}`)))];
  if (all.length === 0) return '<none>';
  return all.length > max ? `${all.slice(0, max).join(',')} + ${all.length - max} more...` : all.join(',');
}

/** `80:30080/TCP,53/UDP` as `get svc` prints ports. */
export const portsText = ({ service }: ServiceEndpoints): string =>
  service.ports.map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',') || '<none>';

export const clusterIPText = ({ service }: ServiceEndpoints): string => (isHeadless(service) ? 'None' : service.clusterIP);
