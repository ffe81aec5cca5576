import type { ManifestIssue } from './fields.js';

/**
 * Checks a manifest against the official Kubernetes OpenAPI schema (the `kubernetes-models`
 * package: generated from the API's own definitions, validated by ajv), so what podctl accepts
 * has the types and required fields the API server wants. Each model loads only when a document
 * of its kind is applied: `podctl apply` pays for the kinds it sees, other commands for none.
 */
interface Model {
  validate(): void;
}
type ModelClass = new (data: object) => Model;

const MODELS: Record<string, () => Promise<ModelClass>> = {
  'v1/Pod': async () => (await import('kubernetes-models/v1/Pod')).Pod as unknown as ModelClass,
  'v1/ConfigMap': async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap as unknown as ModelClass,
  'v1/Secret': async () => (await import('kubernetes-models/v1/Secret')).Secret as unknown as ModelClass,
  'v1/Namespace': async () => (await import('kubernetes-models/v1/Namespace')).Namespace as unknown as ModelClass,
  'v1/PersistentVolumeClaim': async () => (await import('kubernetes-models/v1/PersistentVolumeClaim')).PersistentVolumeClaim as unknown as ModelClass,
  'v1/Service': async () => (await import('kubernetes-models/v1/Service')).Service as unknown as ModelClass,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment as unknown as ModelClass,
  'apps/v1/ReplicaSet': async () => (await import('kubernetes-models/apps/v1/ReplicaSet')).ReplicaSet as unknown as ModelClass,
  'apps/v1/DaemonSet': async () => (await import('kubernetes-models/apps/v1/DaemonSet')).DaemonSet as unknown as ModelClass,
  'apps/v1/StatefulSet': async () => (await import('kubernetes-models/apps/v1/StatefulSet')).StatefulSet as unknown as ModelClass,
  'batch/v1/Job': async () => (await import('kubernetes-models/batch/v1/Job')).Job as unknown as ModelClass,
};

/** The apiVersion/kind pairs the schema knows, e.g. "apps/v1/Deployment". */
export const SCHEMA_KINDS = Object.keys(MODELS);

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `/spec/template/spec/containers/0/ports/0/containerPort` → `spec.template.spec.containers[0].ports[0].containerPort`. */
export function fieldPath(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** One ajv error as kubectl words it: the path of the field, then what is wrong with it. */
export function issueOf(error: AjvError): ManifestIssue {
  const base = fieldPath(error.instancePath);
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return { path: base === '' ? missing : `${base}.${missing}`, reason: 'is required' };
  }
  if (error.keyword === 'enum') return { path: base || '(document)', reason: `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}` };
  return { path: base || '(document)', reason: error.message ?? error.keyword };
}

/** Undefined when the schema has no model for this apiVersion/kind (the caller decides what that means). */
export async function schemaIssues(doc: Record<string, unknown>): Promise<ManifestIssue[] | undefined> {
  const load = MODELS[`${String(doc.apiVersion)}/${String(doc.kind)}`];
  if (!load) return undefined;
  const Model = await load();
  try {
    new Model(doc as object).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) throw err;
    // ajv reports each failing branch of a oneOf (int-or-string); keep one line per path.
    const seen = new Set<string>();
    return errors.map(issueOf).filter((i) => !seen.has(i.path) && seen.add(i.path) !== undefined);
  }
}
