import { API_RESOURCES, READ_VERBS, WRITE_VERBS, apiGroups, subresourceOf, writable, groupVersionOf, type ApiResource } from './resources.js';
import { watchable } from './watchable.js';

/**
 * The API server's discovery documents, built from the resource table: the legacy ones
 * (`/api`, `/apis`, `/apis/GROUP`, each group version's APIResourceList) and the aggregated
 * form (apidiscovery.k8s.io, one document for `/api` and one for `/apis`) that kubectl 1.26+
 * asks for first and that spares it a request per group version.
 */

const verbsOf = (r: ApiResource): string[] => [...READ_VERBS, ...(watchable(r) ? ['watch'] : []), ...(writable(r) ? WRITE_VERBS : [])];

/** `/api`: the core group's versions. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** `/apis`: every named group. */
export function apiGroupList(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups().map((g) => apiGroup(g.name, g.versions)) };
}

/** `/apis/GROUP`, or undefined for a group not served. */
export function apiGroupDocument(group: string): Record<string, unknown> | undefined {
  const g = apiGroups().find((x) => x.name === group);
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.name, g.versions) };
}

/** `/api/v1`, `/apis/apps/v1`: the group version's resources, or undefined when none is served. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const resources = API_RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersionOf({ group, version }),
    resources: resources.flatMap((r) => [
      {
        name: r.name,
        singularName: r.singularName,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: verbsOf(r),
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
      },
      ...(r.subresources ?? []).map((sub) => {
        const s = subresourceOf(r, sub);
        // The group and version are named only when they are not the resource's (scale's autoscaling/v1), as the API server does.
        const other = s.group !== r.group || s.version !== r.version;
        return { name: `${r.name}/${sub}`, singularName: '', namespaced: r.namespaced, ...(other ? { group: s.group, version: s.version } : {}), kind: s.kind, verbs: s.verbs };
      }),
    ]),
  };
}

/** The aggregated discovery versions a client accepts, best first. */
export const AGGREGATED_VERSIONS = ['v2', 'v2beta1'] as const;
export type AggregatedVersion = (typeof AGGREGATED_VERSIONS)[number];

/**
 * Which aggregated form an Accept header asks for (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`),
 * taking the client's order; undefined when it accepts only the legacy documents.
 */
export function aggregatedVersionAccepted(accept: string | undefined): AggregatedVersion | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map(part.split(';').slice(1).map((p) => p.trim().split('=') as [string, string]));
    const v = params.get('v') as AggregatedVersion;
    if (params.get('g') === 'apidiscovery.k8s.io' && params.get('as') === 'APIGroupDiscoveryList' && AGGREGATED_VERSIONS.includes(v)) return v;
  }
  return undefined;
}

/** The Content-Type of an aggregated document: the client checks it to tell it from a legacy one. */
export const aggregatedContentType = (v: AggregatedVersion) => `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;

/** The aggregated document of `/api` (core: true, the core group only) or `/apis` (the named groups). */
export function aggregatedDiscovery(core: boolean, v: AggregatedVersion): Record<string, unknown> {
  const groups = core ? [{ name: '', versions: ['v1'] }] : apiGroups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${v}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: API_RESOURCES.filter((r) => r.group === g.name && r.version === version).map((r) => ({
          resource: r.name,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singularName,
          verbs: verbsOf(r),
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
          ...(r.categories ? { categories: r.categories } : {}),
          ...(r.subresources
            ? { subresources: r.subresources.map((sub) => subresourceOf(r, sub)).map((s, i) => ({ subresource: r.subresources![i], responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs })) }
            : {}),
        })),
      })),
    })),
  };
}
