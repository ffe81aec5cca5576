import { serviceFromManifest } from './service.js';
import type { ServiceSpec } from '../../service/types.js';
import type { ManifestDocument } from '../apply/index.js';
import type { PodManager } from '../../pod/manager.js';
import { invalidArgument } from '../../util/errors.js';
import { manifestProblemsError } from '../manifest-problems.js';

/** Services are read by this module, not by planApply, which holds them to the schema only. */
export const SERVICE_KIND = 'Service';

export const isServiceDocument = (doc: ManifestDocument): boolean => (doc.value as { kind?: unknown } | null)?.kind === SERVICE_KIND;

/** `kind: Service` in `apply -f` / `delete -f`: checked with the rest of the manifests, applied before the pods. */
export interface LoadedServices {
  specs: Array<{ source: string; spec: ServiceSpec }>;
  warnings: string[];
}

export function loadServices(docs: ManifestDocument[], namespace: string, options: { strict: boolean; namespaceFlag?: string }): LoadedServices {
  const specs: LoadedServices['specs'] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  for (const doc of docs) {
    const { parsed, issues } = serviceFromManifest(doc.value, options.namespaceFlag ?? namespace);
    problems.push(...issues.errors.map((e) => `${doc.source}: ${e.path}: ${e.reason}`));
    if (!parsed) continue;
    const { spec, unsupported } = parsed;
    if (options.namespaceFlag !== undefined && spec.namespace !== options.namespaceFlag) problems.push(`${doc.source}: metadata.namespace: is ${spec.namespace}, but -n says ${options.namespaceFlag}`);
    if (specs.some((s) => s.spec.name === spec.name && s.spec.namespace === spec.namespace)) problems.push(`${doc.source}: metadata.name: service ${spec.namespace}/${spec.name} is given twice`);
    if (unsupported.length > 0) (options.strict ? problems : warnings).push(`${doc.source}: service ${spec.name}: fields podctl cannot honour${options.strict ? '' : ' (ignored)'}: ${unsupported.join(', ')}`);
    specs.push({ source: doc.source, spec });
  }
  if (problems.length > 0) throw manifestProblemsError(problems, options.strict);

  return { specs, warnings };
}

export const serviceRefText = (s: { name: string; namespace: string }) => `service/${s.namespace === 'default' ? s.name : `${s.namespace}/${s.name}`}`;

/** Applies the services of one command as one change (one rules transaction); returns the lines to print. */
export async function applyServices(pods: PodManager, loaded: LoadedServices, warn: (line: string) => void): Promise<string[]> {
  const lines: string[] = [];
  const applied = await pods.services.applyAll(loaded.specs.map((s) => s.spec));
  for (const [i, { service, outcome }] of applied.entries()) {
    const spec = loaded.specs[i]!.spec;
    for (const name of service.unresolved) warn(`${serviceRefText(spec)}: targetPort ${name} is not a port any selected container declares; those pods get no traffic on it`);
    lines.push(`${serviceRefText(spec)} ${outcome}`);
  }
  return lines;
}

/** Delete needs only a Service's identity. */
export function serviceRefOf(doc: ManifestDocument, namespace: string): { name: string; namespace: string } {
  const meta = (doc.value as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  if (typeof meta?.name !== 'string') throw invalidArgument(`${doc.source}: metadata.name: is required`, 'name the service to delete');
  return { name: meta.name, namespace: typeof meta.namespace === 'string' ? meta.namespace : namespace };
}
