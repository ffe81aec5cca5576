/**
 * How a strategic merge patch and server-side apply merge each list of the kinds the API
 * serves: the list's merge key and strategy, its associative keys, and the types its fields
 * lead to. The one place these facts live.
 *
 * Source: the official Kubernetes OpenAPI (api/openapi-spec/swagger.json of v1.27 to v1.33),
 * each list's `x-kubernetes-patch-merge-key` and `x-kubernetes-patch-strategy`; no npm package
 * carries them (kubernetes-types and kubernetes-models drop the extensions). `retainKeys`
 * (PodSpec.volumes' elements, DeploymentSpec.strategy) needs no entry: the client that computes a
 * patch writes it into the patch as `$retainKeys`, which the merge honours wherever it is. A list not named
 * here is atomic: a patch replaces it whole, as the API server does for a list without a
 * strategy (tolerations, args, command, envFrom, readinessGates, ...). Tested against the patches
 * kubectl computes (e2e/kube-api-write.test.ts: apply re-applies and `kubectl patch`).
 *
 * Server-side apply (api/apply/) treats a list with a merge key as an associative list (a map
 * of items by key, as the API server's structured-merge-diff does), keyed by the official
 * OpenAPI's `x-kubernetes-list-map-keys` where they are more than the merge key (`keys`:
 * container ports by containerPort and protocol), a key field the applier leaves out taking
 * its API default (`keyDefaults`: protocol TCP); a list with the merge strategy and no key is a
 * set; any other list is atomic. Tested against kubectl --server-side
 * (e2e/kube-server-side-apply.test.ts).
 */
export interface ListStrategy {
  /** The field that names an element (`name`, `containerPort`); absent for a set of primitives. */
  mergeKey?: string;
  /** The type of the elements, for lists nested in them. */
  elementType?: TypeName;
  /** `x-kubernetes-list-map-keys`, where more than the merge key (server-side apply's item identity). */
  keys?: readonly string[];
  /** The API's defaults of key fields, for items that leave them out. */
  keyDefaults?: Record<string, string>;
}

export interface TypeInfo {
  /** Lists with a merge strategy (`patchStrategy: merge`). */
  lists?: Record<string, ListStrategy>;
  /** Fields that lead to another type described here. */
  fields?: Record<string, TypeName>;
}

export type TypeName =
  | 'Object'
  | 'ObjectMeta'
  | 'PodTemplateSpec'
  | 'PodSpec'
  | 'Container'
  | 'WorkloadSpec'
  | 'ServiceSpec'
  | 'Status';

export const TYPES: Record<TypeName, TypeInfo> = {
  /** The top of every served object: metadata, spec, status. The spec's type is the kind's (SPEC_TYPE). */
  Object: { fields: { metadata: 'ObjectMeta', status: 'Status' } },
  ObjectMeta: {
    lists: {
      finalizers: {},
      ownerReferences: { mergeKey: 'uid' },
    },
  },
  PodTemplateSpec: { fields: { metadata: 'ObjectMeta', spec: 'PodSpec' } },
  PodSpec: {
    lists: {
      containers: { mergeKey: 'name', elementType: 'Container' },
      initContainers: { mergeKey: 'name', elementType: 'Container' },
      ephemeralContainers: { mergeKey: 'name', elementType: 'Container' },
      volumes: { mergeKey: 'name' },
      imagePullSecrets: { mergeKey: 'name' },
      hostAliases: { mergeKey: 'ip' },
      topologySpreadConstraints: { mergeKey: 'topologyKey', keys: ['topologyKey', 'whenUnsatisfiable'] },
      resourceClaims: { mergeKey: 'name' },
      schedulingGates: { mergeKey: 'name' },
    },
  },
  Container: {
    lists: {
      env: { mergeKey: 'name' },
      ports: { mergeKey: 'containerPort', keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } },
      volumeMounts: { mergeKey: 'mountPath' },
      volumeDevices: { mergeKey: 'devicePath' },
    },
  },
  /** DeploymentSpec, ReplicaSetSpec, DaemonSetSpec, StatefulSetSpec, JobSpec: their template. */
  WorkloadSpec: { fields: { template: 'PodTemplateSpec' } },
  ServiceSpec: { lists: { ports: { mergeKey: 'port', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } } } },
  /** PodStatus, DeploymentStatus, ...: their conditions by type. */
  Status: { lists: { conditions: { mergeKey: 'type' } } },
};

/**
 * The official OpenAPI definitions each type stands for: the served OpenAPI carries the same
 * strategies (kubectl computes `apply`'s patches from the server's schema when it has one, and
 * without a merge key it replaces a list whole, so a re-apply would never read `unchanged`).
 */
export const DEFINITIONS_OF: Record<TypeName, readonly string[]> = {
  Object: [],
  ObjectMeta: ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'],
  PodTemplateSpec: [],
  PodSpec: ['io.k8s.api.core.v1.PodSpec'],
  Container: ['io.k8s.api.core.v1.Container', 'io.k8s.api.core.v1.EphemeralContainer'],
  WorkloadSpec: [],
  ServiceSpec: ['io.k8s.api.core.v1.ServiceSpec'],
  Status: [
    'io.k8s.api.core.v1.PodStatus',
    'io.k8s.api.core.v1.NamespaceStatus',
    'io.k8s.api.core.v1.PersistentVolumeClaimStatus',
    'io.k8s.api.core.v1.ServiceStatus',
    'io.k8s.api.apps.v1.DeploymentStatus',
    'io.k8s.api.apps.v1.ReplicaSetStatus',
    'io.k8s.api.apps.v1.StatefulSetStatus',
    'io.k8s.api.apps.v1.DaemonSetStatus',
    'io.k8s.api.batch.v1.JobStatus',
  ],
};

/** What `spec` is for each served kind. */
export const SPEC_TYPE: Record<string, TypeName | undefined> = {
  Pod: 'PodSpec',
  Service: 'ServiceSpec',
  Deployment: 'WorkloadSpec',
  ReplicaSet: 'WorkloadSpec',
  DaemonSet: 'WorkloadSpec',
  StatefulSet: 'WorkloadSpec',
  Job: 'WorkloadSpec',
};

/** The type a field of `type` leads to (undefined: a type with no strategic lists below it). */
export function fieldType(type: TypeName | undefined, field: string, kind: string): TypeName | undefined {
  if (type === 'Object' && field === 'spec') return SPEC_TYPE[kind];
  return type ? TYPES[type].fields?.[field] : undefined;
}

export function listStrategy(type: TypeName | undefined, field: string): ListStrategy | undefined {
  return type ? TYPES[type].lists?.[field] : undefined;
}

/** The fields that name an item of an associative list (undefined: a set or an atomic list). */
export function associativeKeys(strategy: ListStrategy | undefined): readonly string[] | undefined {
  if (strategy?.keys) return strategy.keys;
  return strategy?.mergeKey !== undefined ? [strategy.mergeKey] : undefined;
}
