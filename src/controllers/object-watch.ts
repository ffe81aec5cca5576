import type { ChangeFeed } from '../kube/objects/change-feed.js';
import { keyOf } from './keys.js';

/**
 * Object changes as they happen, for the controllers: the store's change feed (every write,
 * whichever process made it, in order), mapped to the queue key of each changed object of
 * `kinds`. The periodic resync still catches anything a sync missed.
 */
export function watchObjectChanges(feed: ChangeFeed, kinds: readonly string[], onChange: (key: string) => void): { close(): void } {
  const close = feed.subscribe(feed.last, (change) => {
    const { object } = change;
    // A Deployment's computed ReplicaSet, as serve's API observes it, is no record to sync.
    if (kinds.includes(object.kind) && !change.observed) onChange(keyOf({ kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name }));
  });
  return { close };
}
