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
  const inspected = (await Promise.all(views.map((v) => pods.inspect(v).catch((err: unknown) => (isPodctlError(err, 'NOT_FOUND') ? undefined : Promise.reject(err)))))).filter((v): v is PodView => v !== undefined);
  await pods.countRestarts(inspected);
  const manifests: GeneratedPod[] = [];
  for (const view of inspected) {
    const spec = await pods.getSpec(view);
    if (!spec) throw new PodctlError('FAILED_PRECONDITION', `pod ${formatPodRef(view)} has no checkpoint to describe`, { hint: `remove it with podctl rm -f ${formatPodRef(view)}` });
    manifests.push(manifestFromPod(spec, { defaultNetwork, view }));
  }
  return manifests;
}
