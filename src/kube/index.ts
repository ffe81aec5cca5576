/** Kubernetes Pod manifests in and out: manifest → PodSpec (parse, validate), PodSpec → manifest. */
export { readManifests, parseManifestText, type ManifestDocument } from './read-manifests.js';
export { podFromManifest, K8S_DEFAULT_GRACE_SECONDS, type ManifestDefaults, type ParsedPod } from './parse-pod.js';
export { loadPods, type LoadedPod, type LoadOptions } from './load-pods.js';
export { manifestFromPod, type GenerateOptions } from './generate-pod.js';
export { applyPod, deletePod, type ApplyOutcome, type ApplyResult } from './apply.js';
export { specHash, APPLIED_HASH_LABEL } from './spec-hash.js';
export { NETWORKS_ANNOTATION, DEFAULT_NETWORK_ANNOTATION } from './networks-annotation.js';
export type { ManifestIssue } from './fields.js';
export type * from './manifest-types.js';
export { runManifest, type RunManifestOptions } from './run-manifest.js';
