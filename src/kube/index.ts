/** Kubernetes Pod manifests in and out: manifest → PodSpec (parse, validate), PodSpec → manifest. */
export { podFromManifest, K8S_DEFAULT_GRACE_SECONDS, type ManifestDefaults, type ParsedPod } from './parse-pod.js';
export { manifestFromPod, type GenerateOptions, type GeneratedPod, type GeneratedPodList, type GeneratedContainerStatus } from './generate-pod.js';
export { readManifests, parseManifestText, loadPods, applyPod, deletePod, runManifest, type ManifestDocument, type LoadedPod, type LoadOptions, type ApplyOutcome, type ApplyResult, type RunManifestOptions } from './apply/index.js';
export { specHash, APPLIED_HASH_LABEL } from './spec-hash.js';
export { NETWORKS_ANNOTATION, DEFAULT_NETWORK_ANNOTATION } from './networks-annotation.js';
export type { ManifestIssue } from './fields.js';
// The manifest types' earlier names, kept for library users: Kubernetes' own (kubernetes-types) now.
export type { GeneratedPod as KubePod, GeneratedPodList as KubeList } from './generate-pod.js';
export type { Container as KubeContainer, Probe as KubeProbe, PodStatus as KubePodStatus } from 'kubernetes-types/core/v1.js';
