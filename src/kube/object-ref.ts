/** The apiVersion of each kind podctl runs, as its manifests must give it. */
export const API_VERSION: Record<string, string> = { Namespace: 'v1', ConfigMap: 'v1', Secret: 'v1', PersistentVolumeClaim: 'v1', ServiceAccount: 'v1', Pod: 'v1', Deployment: 'apps/v1', ReplicaSet: 'apps/v1', DaemonSet: 'apps/v1', StatefulSet: 'apps/v1', Job: 'batch/v1' };

/** "configmap/web", "deployment.apps/web", "job.batch/check", as kubectl names an object. */
export function objectRef(kind: string, name: string): string {
  const group = API_VERSION[kind]?.includes('/') ? `.${API_VERSION[kind]!.split('/')[0]}` : '';
  return `${kind.toLowerCase()}${group}/${name}`;
}

/** kubectl's message when a wait's --timeout passes: "timed out waiting for the condition on deployments/web". */
export const waitTimedOut = (kind: string, name: string): string => `timed out waiting for the condition on ${kind.toLowerCase()}s/${name}`;
