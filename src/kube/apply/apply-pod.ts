import type { PodManager } from '../../pod/manager.js';
import { formatPodRef, type PodRef } from '../../pod/naming.js';
import type { PodSpec } from '../../pod/spec.js';
import type { PodView } from '../../pod/status.js';
import type { WaitSpec } from '../../pod/wait.js';
import { APPLIED_HASH_LABEL, specHash, withAppliedHash } from '../spec-hash.js';

export type ApplyOutcome = 'created' | 'unchanged' | 'replaced';

export interface ApplyResult {
  ref: PodRef;
  outcome: ApplyOutcome;
  view: PodView;
}

/**
 * Makes one pod match its spec: creates it when absent, leaves it alone when the spec it was
 * applied with hashes the same, and otherwise replaces it (graceful stop, remove, run), since a
 * pod's containers and networks cannot change in place.
 */
export async function applyPod(pods: PodManager, spec: PodSpec, wait?: WaitSpec): Promise<ApplyResult> {
  const ref = { name: spec.name, namespace: spec.namespace };
  const wanted = withAppliedHash(spec);
  const current = await pods.getSpec(ref);
  if (current) {
    const [view] = await pods.list({ name: ref.name, namespace: ref.namespace, all: true });
    const healthy = view?.state === 'running';
    if (healthy && current.labels[APPLIED_HASH_LABEL] === specHash(spec)) {
      return { ref, outcome: 'unchanged', view: wait ? await pods.start(ref, wait) : view };
    }
    await deletePod(pods, ref);
  }
  const view = await pods.run(wanted, wait);
  return { ref, outcome: current ? 'replaced' : 'created', view };
}

/**
 * Deletes a pod the way Kubernetes does: marked Terminating (deletionTimestamp), its
 * containers get their grace period (terminationGracePeriodSeconds, or `graceSeconds`; 0 stops
 * them at once) to stop, then everything is removed.
 * Returns false when there was no such pod.
 */
export async function deletePod(pods: PodManager, ref: PodRef, graceSeconds?: number): Promise<boolean> {
  const views = await pods.list({ name: ref.name, namespace: ref.namespace, all: true });
  if (views.length === 0) return false;
  // Terminating from now on (get shows it; controllers and the kubelet leave it alone).
  await pods.beginDeletion(ref, graceSeconds);
  // The graceful stop is a courtesy to the containers; if it fails, the forced remove below
  // still kills them and releases the network, and reports its own failure.
  if (views[0]?.state === 'running' || views[0]?.state === 'degraded') await pods.stop(ref, graceSeconds).catch(() => undefined);
  // Another process may finish it meanwhile (serve finishes the removals of terminating pods): deleted either way.
  await pods.remove(ref, true);
  return true;
}

export const describeRef = (ref: PodRef): string => `pod/${formatPodRef(ref)}`;
