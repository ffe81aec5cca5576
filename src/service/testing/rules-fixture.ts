import type { RulesOptions } from '../rules.js';
import type { ServiceEndpoints, ServiceRecord } from '../types.js';

/** A fixed model for the renderer's golden tests and the `nft -c` check in e2e. */
const record = (over: Partial<ServiceRecord> & Pick<ServiceRecord, 'name' | 'clusterIP' | 'ports'>): ServiceRecord => ({
  version: 1,
  namespace: 'default',
  labels: {},
  selector: { app: over.name },
  type: 'ClusterIP',
  uid: `uid-${over.name}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

export const FIXTURE_SERVICES: ServiceEndpoints[] = [
  {
    service: record({ name: 'web', clusterIP: '10.96.0.10', type: 'NodePort', ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }] }),
    ports: [
      {
        port: { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 },
        endpoints: [
          { ip: '10.99.0.12', port: 8080, pod: 'web-b' },
          { ip: '10.99.0.5', port: 8080, pod: 'web-a' },
        ],
      },
    ],
    podIPs: ['10.99.0.5', '10.99.0.12'],
    unresolved: [],
  },
  {
    service: record({ name: 'dns', namespace: 'kube', clusterIP: '10.96.0.53', ports: [{ protocol: 'UDP', port: 53, targetPort: 5353 }] }),
    ports: [{ port: { protocol: 'UDP', port: 53, targetPort: 5353 }, endpoints: [{ ip: '10.99.0.7', port: 5353, pod: 'dns-a' }] }],
    podIPs: ['10.99.0.7'],
    unresolved: [],
  },
  {
    service: record({ name: 'idle', clusterIP: '10.96.0.20', type: 'NodePort', ports: [{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30081 }] }),
    ports: [{ port: { protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30081 }, endpoints: [] }],
    podIPs: [],
    unresolved: [],
  },
  {
    service: record({ name: 'peers', clusterIP: 'None', ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }] }),
    ports: [{ port: { protocol: 'TCP', port: 80, targetPort: 80 }, endpoints: [{ ip: '10.99.0.5', port: 80, pod: 'web-a' }] }],
    podIPs: ['10.99.0.5'],
    unresolved: [],
  },
];

export const FIXTURE_OPTIONS: RulesOptions = { serviceCidr: '10.96.0.0/16', podSubnets: ['10.99.0.0/16'], nodePortAddresses: ['127.0.0.1', '10.99.0.1'], externalNodePorts: [], guardLocalnet: true };
