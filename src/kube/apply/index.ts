/**
 * Manifests in, pods and records out: read the documents (read-manifests), check them all
 * (apply-objects' plan, load-pods for Pods), then apply in dependency order (apply-objects,
 * apply-pod); run-manifest is the library's way in.
 */
export { readManifests, parseManifestText, type ManifestDocument } from './read-manifests.js';
export { loadPods, type LoadedPod, type LoadOptions } from './load-pods.js';
export { applyPod, deletePod, describeRef, type ApplyOutcome, type ApplyResult } from './apply-pod.js';
export { planApply, applyConfigObjects, applyWorkload, type ApplyPlan, type PlanOptions, type AppliedWorkload } from './apply-objects.js';
export { runManifest, type RunManifestOptions } from './run-manifest.js';
export { objectRef } from '../object-ref.js';
