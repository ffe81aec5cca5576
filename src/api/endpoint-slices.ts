import { createHash } from 'node:crypto';
import type { ResourceTable } from '../kube/tables.js';
import type { PodManager } from '../pod/manager.js';
import type { ServiceEndpoints } from '../service/types.js';
import { age } from '../util/age.js';
import { fieldsOfObject } from './field-selector.js';
import type { ReadRequest, ReadResult, Wanted } from './read.js';
import type { ApiResource } from './resources.js';

/**
 * EndpointSlices (discovery.k8s.io/v1) as Kubernetes' EndpointSlice controller would write them
 * for podctl's Services, from the same endpoints the Endpoints objects and the nftables rules are
 * made of (ServiceManager.list): one slice per set of ready pods that serve the same ports, named
 * after its service and a hash of those ports, labelled with the service's name.
 */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY = { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };

type Slice = Record<string, unknown> & { metadata: { name: string; namespace: string; labels: Record<string, string>; creationTimestamp: string }; endpoints: Array<{ addresses: string[] }>; ports?: SlicePort[] };
type SlicePort = { name: string; port: number; protocol: string };

export function endpointSlices({ service, ports }: ServiceEndpoints): Slice[] {
  // Ports whose endpoints are the same pods go in one slice, as the controller groups them.
  const groups = new Map<string, { endpoints: ServiceEndpoints['ports'][number]['endpoints']; ports: SlicePort[] }>();
  for (const { port, endpoints } of ports) {
    if (endpoints.length === 0) continue;
    const key = endpoints.map((e) => `${e.pod}@${e.ip}`).sort().join(',');
    const group = groups.get(key) ?? { endpoints, ports: [] };
    group.ports.push({ name: port.name ?? '', port: endpoints[0]!.port, protocol: port.protocol });
    groups.set(key, group);
  }
  const slice = (suffix: string, endpoints: Slice['endpoints'], slicePorts?: SlicePort[]): Slice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service.name}-${suffix}`,
      namespace: service.namespace,
      labels: { ...service.labels, [SERVICE_NAME_LABEL]: service.name, ...MANAGED_BY },
      creationTimestamp: service.createdAt,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service.name, uid: service.uid, controller: true, blockOwnerDeletion: true }],
    } as Slice['metadata'],
    addressType: 'IPv4',
    endpoints,
    ...(slicePorts ? { ports: slicePorts } : {}),
  });
  // A service without ready pods still has its (empty) slice.
  if (groups.size === 0) return [slice(hash(service.uid), [])];
  return [...groups.values()].map((g) =>
    slice(
      hash(JSON.stringify(g.ports)),
      g.endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: e.pod, namespace: service.namespace } })),
      g.ports,
    ),
  );
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 5);

/** kubectl's columns: NAME, ADDRESSTYPE, PORTS, ENDPOINTS (three, then `+ N more...`), AGE. */
export function endpointSliceTable(list: Slice[], now = Date.now()): ResourceTable {
  const text = (items: string[], empty: string) => (items.length === 0 ? empty : items.length > 3 ? `${items.slice(0, 3).join(',')} + ${items.length - 3} more...` : items.join(','));
  return {
    columns: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'].map((header) => ({ header, wide: false })),
    rows: list.map((s) => [s.metadata.name, 'IPv4', text((s.ports ?? []).map((p) => String(p.port)), '<unset>'), text(s.endpoints.flatMap((e) => e.addresses), '<none>'), age(s.metadata.creationTimestamp, now)]),
  };
}

export async function readEndpointSlices(pods: PodManager, _r: ApiResource, req: ReadRequest, wanted: Wanted): Promise<ReadResult> {
  const slices = (await pods.services.list(req.namespace)).flatMap(endpointSlices).filter((s) => wanted(s.metadata.name, s.metadata.labels, fieldsOfObject(s)));
  const metadata = slices.map((s) => ({ name: s.metadata.name, namespace: s.metadata.namespace, labels: s.metadata.labels, creationTimestamp: s.metadata.creationTimestamp }));
  if (req.table) return { metadata, table: endpointSliceTable(slices) };
  return { metadata, objects: slices };
}
