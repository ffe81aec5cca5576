import { DEFAULT_NAMESPACE } from './spec.js';

/**
 * How a pod's identity maps onto names outside podctl. Container names use "_", which a
 * DNS-1123 pod or container name can never contain, so two pods never map to one name.
 */
export interface PodRef {
  name: string;
  namespace: string;
}

/** One key per pod for files and locks: "<namespace>_<name>". */
export const podKey = (ref: PodRef): string => `${ref.namespace}_${ref.name}`;

/** The pause container's name; creating it is how a pod name is reserved atomically. */
export const pauseContainerName = (ref: PodRef): string => `podctl_POD_${ref.name}_${ref.namespace}`;

export const appContainerName = (ref: PodRef, container: string): string => `podctl_${container}_${ref.name}_${ref.namespace}`;

/** `ip netns exec <pod>` works for pods in the default namespace; others get "<ns>_<pod>". */
export const netnsNameFor = (ref: PodRef): string => (ref.namespace === DEFAULT_NAMESPACE ? ref.name : podKey(ref));

/** Parses "name" or "namespace/name" as the CLI accepts it. */
export function parsePodRef(text: string, namespace = DEFAULT_NAMESPACE): PodRef {
  const slash = text.indexOf('/');
  if (slash >= 0) return { namespace: text.slice(0, slash), name: text.slice(slash + 1) };
  return { namespace, name: text };
}

export const formatPodRef = (ref: PodRef): string => (ref.namespace === DEFAULT_NAMESPACE ? ref.name : `${ref.namespace}/${ref.name}`);
