import type { PodView } from '../../pod/status.js';
import { EventLog } from '../events.js';
import type { ObjectStore } from '../objects/store.js';
import type { ManifestDefaults } from '../parse-pod.js';
import { ownerOf } from './owners.js';

/**
 * A liveness restart by `podctl watch`, in the event log of the workload owning the pod, so
 * `describe` shows it as the kubelet's; a bare pod has no log, and nothing is recorded.
 */
export async function recordLivenessRestart(store: ObjectStore, defaults: ManifestDefaults, pod: PodView, container: string, message: string): Promise<void> {
  const owner = await ownerOf(store, defaults, pod);
  if (!owner) return;
  const object = `pod/${pod.name}`;
  await new EventLog(store.stateDir).record(owner.kind, owner.namespace, owner.name, [
    { type: 'Warning', reason: 'Unhealthy', object, message, from: 'kubelet (podctl watch)' },
    { type: 'Normal', reason: 'Killing', object, message: `Container ${container} failed liveness probe, will be restarted`, from: 'kubelet (podctl watch)' },
  ]);
}
