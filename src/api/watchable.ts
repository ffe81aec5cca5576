import type { ApiResource } from './resources.js';

/**
 * Resources whose every change passes through the store's change log (records, and the pods
 * and Services serve observes): these serve `watch`. A ReplicaSet of a Deployment is computed
 * from the pods when read, not stored, so ReplicaSets do not.
 */
export const watchable = (r: ApiResource): boolean => r.kind !== 'ReplicaSet';
