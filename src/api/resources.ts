/**
 * The resources the API serves, as the API server's discovery describes them: one entry per
 * resource, the one place both discovery documents (legacy and aggregated) and the request
 * router read. Names, short names and categories are Kubernetes' own (kubectl maps `deploy`
 * and `all` through them).
 */
export interface ApiResource {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** The plural, as in the URL. */
  name: string;
  singularName: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** `scale` (autoscaling/v1 Scale: get, update, patch), served by scale.ts. */
  subresources?: Array<'scale'>;
}

/** What every served resource answers now: reads. */
export const READ_VERBS = ['get', 'list'] as const;

/** The writes (src/api/write.ts) of every resource podctl keeps; Endpoints follow their Service and are read only. */
export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export const writable = (r: ApiResource): boolean => r.kind !== 'Endpoints';

/** A subresource's kind and verbs, for discovery. */
export const SUBRESOURCES = { scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] } } as const;

const core = (kind: string, name: string, extra: Partial<ApiResource> = {}): ApiResource => ({ group: '', version: 'v1', kind, name, singularName: kind.toLowerCase(), namespaced: true, ...extra });
const apps = (kind: string, name: string, shortNames: string[], extra: Partial<ApiResource> = {}): ApiResource => ({ group: 'apps', version: 'v1', kind, name, singularName: kind.toLowerCase(), namespaced: true, shortNames, categories: ['all'], ...extra });

export const API_RESOURCES: readonly ApiResource[] = [
  core('Namespace', 'namespaces', { namespaced: false, shortNames: ['ns'] }),
  core('Pod', 'pods', { shortNames: ['po'], categories: ['all'] }),
  core('Service', 'services', { shortNames: ['svc'], categories: ['all'] }),
  core('Endpoints', 'endpoints', { singularName: 'endpoints', shortNames: ['ep'] }),
  core('ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  core('Secret', 'secrets'),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', { shortNames: ['pvc'] }),
  core('Event', 'events', { shortNames: ['ev'] }),
  core('ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
  apps('Deployment', 'deployments', ['deploy'], { subresources: ['scale'] }),
  apps('ReplicaSet', 'replicasets', ['rs'], { subresources: ['scale'] }),
  apps('StatefulSet', 'statefulsets', ['sts'], { subresources: ['scale'] }),
  apps('DaemonSet', 'daemonsets', ['ds']),
  { group: 'batch', version: 'v1', kind: 'Job', name: 'jobs', singularName: 'job', namespaced: true, categories: ['all'] },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', name: 'endpointslices', singularName: 'endpointslice', namespaced: true },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', name: 'events', singularName: 'event', namespaced: true, shortNames: ['ev'] },
];

/** `v1`, `apps/v1`: what `apiVersion` and discovery call a group version. */
export const groupVersionOf = (r: Pick<ApiResource, 'group' | 'version'>): string => (r.group ? `${r.group}/${r.version}` : r.version);

/** The named groups (not the core one), in the order of the table. */
export function apiGroups(resources: readonly ApiResource[] = API_RESOURCES): Array<{ name: string; versions: string[] }> {
  const groups = new Map<string, Set<string>>();
  for (const r of resources) if (r.group) groups.set(r.group, (groups.get(r.group) ?? new Set()).add(r.version));
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions] }));
}

/** The resource a URL names in a group version, or undefined (the API server's 404). */
export function findResource(group: string, version: string, name: string): ApiResource | undefined {
  return API_RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);
}
