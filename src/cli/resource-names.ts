/**
 * The resource type names kubectl users type for the kinds podctl keeps as records, in each
 * of kubectl's spellings: singular, plural, short name, and with the API group as `-o name`
 * prints it (`deployment.apps/web`, `job.batch/migrate`). Pods are the verbs' own.
 */
const KIND_NAMES: Record<string, string> = {
  deployment: 'Deployment', deployments: 'Deployment', deploy: 'Deployment',
  replicaset: 'ReplicaSet', replicasets: 'ReplicaSet', rs: 'ReplicaSet',
  daemonset: 'DaemonSet', daemonsets: 'DaemonSet', ds: 'DaemonSet',
  statefulset: 'StatefulSet', statefulsets: 'StatefulSet', sts: 'StatefulSet',
  job: 'Job', jobs: 'Job',
  configmap: 'ConfigMap', configmaps: 'ConfigMap', cm: 'ConfigMap',
  secret: 'Secret', secrets: 'Secret',
  persistentvolumeclaim: 'PersistentVolumeClaim', persistentvolumeclaims: 'PersistentVolumeClaim', pvc: 'PersistentVolumeClaim',
  namespace: 'Namespace', namespaces: 'Namespace', ns: 'Namespace',
};

/** "deploy", "deployment.apps", "jobs.batch" → the kind; undefined when it is not one of these. */
export function kindOf(resource: string): string | undefined {
  return KIND_NAMES[resource.toLowerCase().replace(/\.(apps|batch)$/, '')];
}


/** Services and their Endpoints, which the Service proxy keeps (src/service) rather than the record store. */
const SERVICE_NAMES: Record<string, 'Service' | 'Endpoints'> = {
  service: 'Service', services: 'Service', svc: 'Service',
  endpoints: 'Endpoints', ep: 'Endpoints',
};

/** "svc", "services", "ep" → Service or Endpoints; undefined for other resources. */
export function serviceKindOf(resource: string): 'Service' | 'Endpoints' | undefined {
  return SERVICE_NAMES[resource.toLowerCase()];
}
