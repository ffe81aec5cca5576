/**
 * How a pod's identity maps onto names outside podctl. Container names use "_", which a
 * DNS-1123 pod or container name can never contain, so two pods never map to one name.
 */

import { validateDnsLabel } from '../util/validate.js';
import { DEFAULT_NAMESPACE } from './spec.js';

export interface PodRef {
  name: string;
  namespace: string;
}

/** One key per pod for files and locks: "<namespace>_<name>". */
export const podKey = (ref: PodRef): string => `${ref.namespace}_${ref.name}`;

/**
 * The key for anything that becomes a path (checkpoint dir, lock file): both parts are
 * checked, so a library caller's ref cannot walk out of podctl's directories either.
 */
export function pathKey(ref: PodRef): string {
  validateDnsLabel(ref.namespace, 'namespace');
  validateDnsLabel(ref.name, 'pod name');
  return podKey(ref);
}

/** The pause container's name; creating it is how a pod name is reserved atomically. */
export const pauseContainerName = (ref: PodRef): string => `podctl_POD_${ref.name}_${ref.namespace}`;

export const appContainerName = (ref: PodRef, container: string): string => `podctl_${container}_${ref.name}_${ref.namespace}`;

/** `ip netns exec <pod>` works for pods in the default namespace; others get "<ns>_<pod>". */
export const netnsNameFor = (ref: PodRef): string => (ref.namespace === DEFAULT_NAMESPACE ? ref.name : podKey(ref));

/**
 * Parses "name" or "namespace/name" as the CLI accepts it. Both parts are checked here,
 * because they become lock and checkpoint paths: "a/../../x" must not reach the file system.
 */
export function parsePodRef(text: string, namespace = DEFAULT_NAMESPACE): PodRef {
  const slash = text.indexOf('/');
  const ref = slash >= 0 ? { namespace: text.slice(0, slash), name: text.slice(slash + 1) } : { namespace, name: text };
  validateDnsLabel(ref.namespace, 'namespace');
  validateDnsLabel(ref.name, 'pod name');
  return ref;
}

export const formatPodRef = (ref: PodRef): string => (ref.namespace === DEFAULT_NAMESPACE ? ref.name : `${ref.namespace}/${ref.name}`);
