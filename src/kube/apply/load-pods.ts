import { invalidArgument } from '../../util/errors.js';
import { podKey } from '../../pod/naming.js';
import type { PodSpec } from '../../pod/spec.js';
import type { ManifestIssue } from '../fields.js';
import { podFromManifest, type ManifestDefaults } from '../parse-pod.js';
import type { ManifestDocument } from './read-manifests.js';
import { manifestProblemsError } from '../manifest-problems.js';

export interface LoadedPod {
  source: string;
  spec: PodSpec;
  unsupported: string[];
}

export interface LoadOptions {
  /** Unsupported fields and non-Pod documents become errors instead of warnings. */
  strict?: boolean;
  /** Set when the user gave -n: a manifest naming another namespace is then an error, as with kubectl. */
  namespaceFlag?: string;
  /** More problems of a document (the OpenAPI schema's), merged with podctl's own. */
  extraIssues?: (doc: ManifestDocument) => ManifestIssue[];
  mergeIssues?: (own: ManifestIssue[], extra: ManifestIssue[]) => ManifestIssue[];
}

/**
 * Turns manifest documents into pod specs, checking all of them before any pod is touched.
 * Every malformed field of every document is reported in one error (path and reason each);
 * fields podctl cannot honour come back as one warning line per pod.
 */
export function loadPods(docs: ManifestDocument[], defaults: ManifestDefaults, options: LoadOptions = {}): { pods: LoadedPod[]; warnings: string[] } {
  const pods: LoadedPod[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  for (const doc of docs) {
    const kind = (doc.value as { kind?: unknown } | null)?.kind;
    if (typeof kind === 'string' && kind !== 'Pod') {
      const name = (doc.value as { metadata?: { name?: unknown } }).metadata?.name;
      const line = `${doc.source}: ${kind}${typeof name === 'string' ? `/${name}` : ''} skipped: podctl runs kind Pod only`;
      if (options.strict) problems.push(line);
      else warnings.push(line);
      continue;
    }
    const { parsed, issues } = podFromManifest(doc.value, { ...defaults, namespace: options.namespaceFlag ?? defaults.namespace });
    const errors = options.extraIssues && options.mergeIssues ? options.mergeIssues(issues.errors, options.extraIssues(doc)) : issues.errors;
    problems.push(...errors.map((e: ManifestIssue) => `${doc.source}: ${e.path}: ${e.reason}`));
    if (!parsed || errors.length > 0) continue;
    const { spec, unsupported } = parsed;
    if (options.namespaceFlag !== undefined && spec.namespace !== options.namespaceFlag) {
      problems.push(`${doc.source}: metadata.namespace: is ${spec.namespace}, but -n says ${options.namespaceFlag}`);
    }
    if (pods.some((p) => podKey(p.spec) === podKey(spec))) problems.push(`${doc.source}: metadata.name: pod ${spec.namespace}/${spec.name} is given twice`);
    if (unsupported.length > 0) {
      const line = `${doc.source}: pod ${spec.name}: fields podctl cannot honour${options.strict ? '' : ' (ignored)'}: ${unsupported.join(', ')}`;
      if (options.strict) problems.push(line);
      else warnings.push(line);
    }
    pods.push({ source: doc.source, spec, unsupported });
  }
  if (problems.length > 0) throw manifestProblemsError(problems, options.strict);

  if (pods.length === 0) {
    throw invalidArgument(`the manifests hold no Pod${warnings.length ? ` (${warnings.join('; ')})` : ''}`, 'give a file with kind: Pod documents');
  }
  return { pods, warnings };
}
