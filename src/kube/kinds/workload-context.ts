import { DEFAULT_PAUSE_IMAGE } from '../../docker/pause-image.js';
import type { PodManager } from '../../pod/manager.js';
import { ObjectStore } from '../objects/store.js';
import { objectLookup } from './config-objects.js';
import type { WorkloadContext } from './workloads.js';

/**
 * What the commands on stored objects (get, describe, delete, scale, rollout, wait) work with:
 * the pod manager, the object store, and the defaults a stored workload's template is read
 * with (the host's default network, the stored ConfigMaps, Secrets and claims).
 */
export async function openWorkloadContext(pods: PodManager, namespace: string, report?: (line: string) => void): Promise<WorkloadContext> {
  const store = new ObjectStore(pods.stateDir);
  return {
    pods,
    store,
    defaults: { namespace, defaultNetwork: await pods.defaultNetwork(), pauseImage: DEFAULT_PAUSE_IMAGE, objects: await objectLookup(store, []) },
    readyTimeoutMs: 60_000,
    ...(report ? { report } : {}),
  };
}
