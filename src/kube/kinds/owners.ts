import { DEFAULT_PAUSE_IMAGE } from '../../docker/pause-image.js';
import type { PodManager } from '../../pod/manager.js';
import type { PodRef } from '../../pod/naming.js';
import type { PodView } from '../../pod/status.js';
import { PodctlError } from '../../util/errors.js';
import { ObjectStore } from '../objects/store.js';
import { objectRef } from '../object-ref.js';
import type { ManifestDefaults } from '../parse-pod.js';
import { requireObject } from './read-objects.js';
import { ownedPods, workloadOf, WORKLOAD_KINDS, type Workload } from './workloads.js';

/**
 * Between pods and the workloads that own them, found as the controllers find their pods:
 * by selector (and template hash or ordinal) in one pod list, so that pods made before they
 * carried ownerReferences (and bare pods a selector picks) are found as the controllers find them.
 */

/** The workload owning `pod`, if any (a bare pod has none). */
export async function ownerOf(store: ObjectStore, defaults: ManifestDefaults, pod: PodView): Promise<Workload | undefined> {
  const objects = (await Promise.all(WORKLOAD_KINDS.map((kind) => store.list(kind, pod.namespace)))).flat();
  return objects.map((o) => workloadOf(o, defaults)).find((w) => ownedPods(w, [pod]).length > 0);
}

/** A workload's pods, newest first, as kubectl picks them for `logs deploy/web` and `exec job/check`; NOT_FOUND when it has none. */
export async function podsOfWorkloadNewestFirst(pods: PodManager, kind: string, namespace: string, name: string): Promise<PodRef[]> {
  const o = await requireObject(new ObjectStore(pods.stateDir), kind, namespace, name);
  // Only the selector matters here: no template is read into a pod.
  const w = workloadOf(o, { namespace, defaultNetwork: '', pauseImage: DEFAULT_PAUSE_IMAGE });
  const owned = ownedPods(w, await pods.list({ namespace, all: true })).sort((a, b) => b.created.localeCompare(a.created));
  if (owned.length === 0) throw new PodctlError('NOT_FOUND', `${objectRef(kind, name)} has no pods`, { hint: `see podctl describe ${kind.toLowerCase()} ${name}` });
  return owned.map((v) => ({ name: v.name, namespace: v.namespace }));
}
