/** Kubernetes Pod manifests in and out: manifest → PodSpec (parse, validate), PodSpec → manifest. */
export { podFromManifest, K8S_DEFAULT_GRACE_SECONDS, type ManifestDefaults, type ParsedPod } from './parse-pod.js';
export { manifestFromPod, type GenerateOptions } from './generate-pod.js';
export { readManifests, parseManifestText, loadPods, applyPod, deletePod, runManifest, type ManifestDocument, type LoadedPod, type LoadOptions, type ApplyOutcome, type ApplyResult, type RunManifestOptions } from './apply/index.js';
export { specHash, APPLIED_HASH_LABEL } from './spec-hash.js';
export { NETWORKS_ANNOTATION, DEFAULT_NETWORK_ANNOTATION } from './networks-annotation.js';
export type { ManifestIssue } from './fields.js';
export type * from './manifest-types.js';
