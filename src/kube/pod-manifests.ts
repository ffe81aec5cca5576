import type { PodManager } from '../pod/manager.js';
import { formatPodRef } from '../pod/naming.js';
import type { PodView } from '../pod/status.js';
import { PodctlError, isPodctlError } from '../util/errors.js';
import { manifestFromPod, type GeneratedPod } from './generate-pod.js';

/**
 * Pods as the Kubernetes API shows them (`get pod -o json`): each one's spec from its checkpoint
 * with its live status (inspected, restarts counted). `podctl get` and the API server both read
 * pods through this.
 */
export async function podManifests(pods: PodManager, views: PodView[], defaultNetwork: string): Promise<GeneratedPod[]> {
  // A pod removed between the list and its inspect (a Job's at its deadline) is gone: left out.
  const stillThere = (v: PodView) => pods.inspect(v).catch((err: unknown) => (isPodctlError(err, 'NOT_FOUND') ? undefined : Promise.reject(err)));
  const inspected = (await Promise.all(views.map(stillThere))).filter((v): v is PodView => v !== undefined);
  await pods.countRestarts(inspected);
  const manifests: GeneratedPod[] = [];
  for (const view of inspected) {
    const spec = await pods.getSpec(view);
    // A removal takes the checkpoint last: one gone since the inspect, with the containers gone too, is a pod removed meanwhile.
    if (!spec && (await stillThere(view)) === undefined) continue;
    if (!spec) throw new PodctlError('FAILED_PRECONDITION', `pod ${formatPodRef(view)} has no checkpoint to describe`, { hint: `remove it with podctl rm -f ${formatPodRef(view)}` });
    manifests.push(manifestFromPod(spec, { defaultNetwork, view }));
  }
  return manifests;
}
