import type { ApiResource } from './resources.js';

/**
 * Resources whose every change passes through the store's change log: records, and what serve
 * observes (pods, Services, Endpoints, a Deployment's ReplicaSets computed from its pods): these
 * serve `watch`. Every resource does now; the table's one place for a resource that would not.
 */
export const watchable = (_r: ApiResource): boolean => true;
