import type { ServiceEndpoints } from '../service/types.js';
import type { ServiceInfo } from './types.js';

/** podctl's Services (records with their current endpoints) as the trace and the graph read them. */
export function serviceInfo(s: ServiceEndpoints): ServiceInfo {
  return {
    name: s.service.name,
    namespace: s.service.namespace,
    clusterIP: s.service.clusterIP,
    type: s.service.type,
    ports: s.ports.map(({ port, endpoints }) => ({
      ...(port.name ? { name: port.name } : {}),
      protocol: port.protocol === 'UDP' ? 'udp' : 'tcp',
      port: port.port,
      ...(port.nodePort ? { nodePort: port.nodePort } : {}),
      endpoints: endpoints.map((e) => ({ ip: e.ip, port: e.port, pod: e.pod })),
    })),
  };
}
