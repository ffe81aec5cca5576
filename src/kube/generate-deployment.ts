import type { GeneratedPod } from './generate-pod.js';
import type { KubeObject } from './objects/store.js';

/**
 * `podctl kube generate deployment NAME`: a Deployment manifest `kubectl apply` (and `podctl
 * apply`) accepts. From a Deployment podctl keeps, the record as applied, without what podctl
 * adds (status, generation, creation time). From a pod, the pod as the template of one replica,
 * as `podman kube generate --type deployment` does.
 */
export interface GeneratedDeployment {
  manifest: KubeObject;
  /** What had to change for the manifest to be valid, one line each. */
  notes: string[];
}

export function deploymentFromRecord(record: KubeObject): GeneratedDeployment {
  const { name, namespace, labels, annotations } = record.metadata;
  return {
    manifest: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, ...(namespace ? { namespace } : {}), ...(labels && Object.keys(labels).length ? { labels } : {}), ...(annotations && Object.keys(annotations).length ? { annotations } : {}) },
      spec: record.spec,
    },
    notes: [],
  };
}

const CONTROLLER_LABELS = ['pod-template-hash', 'controller-revision-hash', 'job-name', 'batch.kubernetes.io/job-name'];

export function deploymentFromPod(pod: GeneratedPod, name: string): GeneratedDeployment {
  const notes: string[] = [];
  // A selector must match the template's labels and may not be empty: the pod's own labels, or app=NAME.
  // Labels a controller gave the pod would tie the new Deployment to the old one's pods.
  let labels = Object.fromEntries(Object.entries(pod.metadata.labels ?? {}).filter(([k]) => !CONTROLLER_LABELS.includes(k)));
  if (Object.keys(labels).length === 0) {
    labels = { app: name };
    notes.push(`pod ${pod.metadata.name} has no labels: the template and selector use app=${name}`);
  }
  const spec = { ...pod.spec };
  // A Deployment's pods must be restarted when they end (the API server refuses anything else).
  if (spec.restartPolicy !== 'Always') {
    notes.push(`pod ${pod.metadata.name} has restartPolicy ${spec.restartPolicy ?? '(none)'}: a Deployment's pods use Always`);
    spec.restartPolicy = 'Always';
  }
  // Each replica gets a name of its own; a fixed hostname would give them all the same one.
  if (spec.hostname !== undefined) {
    notes.push(`pod ${pod.metadata.name}'s hostname ${spec.hostname} is left out: each replica is named after itself`);
    delete spec.hostname;
  }
  return {
    manifest: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, ...(pod.metadata.namespace ? { namespace: pod.metadata.namespace } : {}), labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels, ...(pod.metadata.annotations ? { annotations: pod.metadata.annotations } : {}) }, spec },
      },
    },
    notes,
  };
}
