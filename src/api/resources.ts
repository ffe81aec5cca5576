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
  /** `scale` (autoscaling/v1 Scale: get, update, patch), served by scale.ts; `status` (the object itself), by status-subresource.ts. */
  subresources?: Subresource[];
}

/** What every served resource answers now: reads. */
export const READ_VERBS = ['get', 'list'] as const;

/** The writes (src/api/write.ts) of every resource podctl keeps; Endpoints follow their Service and are read only. */
export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export const writable = (r: ApiResource): boolean => r.kind !== 'Endpoints';

export type Subresource = 'scale' | 'status';
export const isSubresource = (s: string | undefined): s is Subresource => s === 'scale' || s === 'status';

/** A subresource's kind (the resource's own when it answers the object) and verbs, for discovery. */
export function subresourceOf(r: ApiResource, sub: Subresource): { group: string; version: string; kind: string; verbs: string[] } {
  const verbs = ['get', 'patch', 'update'];
  return sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs } : { group: r.group, version: r.version, kind: r.kind, verbs };
}

const core = (kind: string, name: string, extra: Partial<ApiResource> = {}): ApiResource => ({ group: '', version: 'v1', kind, name, singularName: kind.toLowerCase(), namespaced: true, ...extra });
const apps = (kind: string, name: string, shortNames: string[], extra: Partial<ApiResource> = {}): ApiResource => ({ group: 'apps', version: 'v1', kind, name, singularName: kind.toLowerCase(), namespaced: true, shortNames, categories: ['all'], ...extra });

export const API_RESOURCES: readonly ApiResource[] = [
  core('Namespace', 'namespaces', { namespaced: false, shortNames: ['ns'] }),
  core('Pod', 'pods', { shortNames: ['po'], categories: ['all'], subresources: ['status'] }),
  core('Service', 'services', { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  core('Endpoints', 'endpoints', { singularName: 'endpoints', shortNames: ['ep'] }),
  core('ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  core('Secret', 'secrets'),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', { shortNames: ['pvc'] }),
  core('Event', 'events', { shortNames: ['ev'] }),
  core('ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
  apps('Deployment', 'deployments', ['deploy'], { subresources: ['scale', 'status'] }),
  apps('ReplicaSet', 'replicasets', ['rs'], { subresources: ['scale', 'status'] }),
  apps('StatefulSet', 'statefulsets', ['sts'], { subresources: ['scale', 'status'] }),
  apps('DaemonSet', 'daemonsets', ['ds'], { subresources: ['status'] }),
  { group: 'batch', version: 'v1', kind: 'Job', name: 'jobs', singularName: 'job', namespaced: true, categories: ['all'], subresources: ['status'] },
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
