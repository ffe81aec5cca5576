import { PodctlError, isPodctlError } from '../../util/errors.js';
import { Fields, ManifestIssues, type ManifestIssue } from '../fields.js';
import { applyConfigObject, objectLookup, readConfigObject } from '../kinds/config-objects.js';
import { readWorkload, reconcileJob, reconcileReplicas, withWorkloadRecord, type Workload, type WorkloadContext, type WorkloadKind } from '../kinds/workloads.js';
import { loadPods, type LoadedPod } from './load-pods.js';
import type { KubeObject, ObjectStore } from '../objects/store.js';
import type { ManifestDefaults } from '../parse-pod.js';
import type { ManifestDocument } from './read-manifests.js';
import { withoutServerSetFields } from '../server-set.js';
import { canonicalJson } from '../spec-hash.js';
import { manifestProblemsError } from '../manifest-problems.js';
import { API_VERSION, objectRef } from '../object-ref.js';

/**
 * `podctl apply -f` over every kind: drop what an API server sets itself (status, uid, ...:
 * server-set.ts), read and check all documents first (the OpenAPI schema,
 * then podctl's own reading, with ConfigMaps, Secrets and claims of the same apply visible to
 * the pods that name them), so a bad document changes nothing; then apply in dependency order
 * whatever the file order: Namespaces, then ConfigMaps, Secrets, claims and ServiceAccounts, then (the caller's)
 * Services and Pods, then the workloads whose controllers make pods.
 */
const CONFIG_KINDS = ['Namespace', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'ServiceAccount'];
const CONFIG_ORDER = (o: KubeObject) => (o.kind === 'Namespace' ? 0 : 1);

export interface ApplyPlan {
  configObjects: KubeObject[];
  pods: LoadedPod[];
  workloads: Workload[];
  /** Documents of kinds another module applies (the caller's table, e.g. Service). */
  others: ManifestDocument[];
  warnings: string[];
}

export interface PlanOptions {
  strict?: boolean;
  namespaceFlag?: string;
  /** Kinds the caller applies itself: passed through untouched. */
  otherKinds?: readonly string[];
}

const kindOf = (d: ManifestDocument) => (d.value as { kind?: unknown } | null)?.kind;
const nameOf = (d: ManifestDocument) => String((d.value as { metadata?: { name?: unknown } } | null)?.metadata?.name ?? '');

/** Schema issues first, podctl's own for the same path win (they say more). */
function merge(own: ManifestIssue[], schema: ManifestIssue[]): ManifestIssue[] {
  const seen = new Set(own.map((i) => i.path));
  return [...own, ...schema.filter((i) => !seen.has(i.path) && ![...seen].some((p) => i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`)))];
}

export async function planApply(input: ManifestDocument[], defaults: ManifestDefaults, store: ObjectStore, options: PlanOptions = {}): Promise<ApplyPlan> {
  const { schemaIssues } = await import('../schema.js');
  const docs = input.map((d) => ({ ...d, value: withoutServerSetFields(d.value) }));
  const problems: string[] = [];
  const warnings: string[] = [];
  const others: ManifestDocument[] = [];
  const podDocs: ManifestDocument[] = [];
  const namespace = options.namespaceFlag ?? defaults.namespace;
  const configObjects: KubeObject[] = [];
  const workloadDocs: Array<{ doc: ManifestDocument; kind: WorkloadKind }> = [];
  const schema = new Map<ManifestDocument, ManifestIssue[]>();

  for (const doc of docs) {
    const kind = kindOf(doc);
    if (typeof kind === 'string' && options.otherKinds?.includes(kind)) {
      // Read by the caller's module, but held to the same schema as every other kind.
      if (doc.value && typeof doc.value === 'object') problems.push(...((await schemaIssues(doc.value as Record<string, unknown>)) ?? []).map((e) => `${doc.source}: ${e.path}: ${e.reason}`));
      others.push(doc);
      continue;
    }
    if (typeof kind === 'string' && !API_VERSION[kind]) {
      const line = `${doc.source}: ${kind}${nameOf(doc) ? `/${nameOf(doc)}` : ''} skipped: podctl does not run kind ${kind}`;
      if (options.strict) problems.push(line);
      else warnings.push(line);
      continue;
    }
    if (doc.value && typeof doc.value === 'object' && typeof kind === 'string') schema.set(doc, (await schemaIssues(doc.value as Record<string, unknown>)) ?? []);
    if (kind === undefined || kind === 'Pod' || typeof kind !== 'string') podDocs.push(doc);
    else if (CONFIG_KINDS.includes(kind)) {
      const issues = new ManifestIssues();
      const root = Fields.of(doc.value, '', issues);
      if (root && root.raw('apiVersion') !== API_VERSION[kind]) issues.error('apiVersion', `must be ${API_VERSION[kind]}`);
      const obj = root ? readConfigObject(root, kind, namespace) : undefined;
      problems.push(...merge(issues.errors, schema.get(doc) ?? []).map((e) => `${doc.source}: ${e.path}: ${e.reason}`));
      if (obj) configObjects.push(obj);
    } else workloadDocs.push({ doc, kind: kind as WorkloadKind });
  }

  const objects = await objectLookup(store, configObjects);
  const withObjects = { ...defaults, objects };
  let pods: LoadedPod[] = [];
  if (podDocs.length > 0) {
    try {
      const loaded = loadPods(podDocs, withObjects, { strict: options.strict ?? false, namespaceFlag: options.namespaceFlag, extraIssues: (d) => schema.get(d) ?? [], mergeIssues: merge });
      pods = loaded.pods;
      warnings.push(...loaded.warnings);
    } catch (err) {
      const listed = (err as PodctlError).details?.problems as string[] | undefined;
      if (!listed) throw err;
      problems.push(...listed);
    }
  }

  const workloads: Workload[] = [];
  for (const { doc, kind } of workloadDocs) {
    const issues = new ManifestIssues();
    const root = Fields.of(doc.value, '', issues);
    if (root && root.raw('apiVersion') !== API_VERSION[kind]) issues.error('apiVersion', `must be ${API_VERSION[kind]}`);
    const w = root ? readWorkload(root, kind, namespace, withObjects) : undefined;
    problems.push(...merge(issues.errors, schema.get(doc) ?? []).map((e) => `${doc.source}: ${e.path}: ${e.reason}`));
    if (issues.unsupported.length > 0) {
      const line = `${doc.source}: ${kind.toLowerCase()} ${nameOf(doc)}: fields podctl cannot honour${options.strict ? '' : ' (ignored)'}: ${issues.unsupported.join(', ')}`;
      if (options.strict) problems.push(line);
      else warnings.push(line);
    }
    if (w) workloads.push(w);
  }

  const all = [...configObjects, ...workloads.map((w) => w.obj)];
  for (const o of all) {
    if (options.namespaceFlag !== undefined && o.metadata.namespace !== undefined && o.metadata.namespace !== options.namespaceFlag) {
      problems.push(`${o.kind.toLowerCase()}/${o.metadata.name}: metadata.namespace: is ${o.metadata.namespace}, but -n says ${options.namespaceFlag}`);
    }
    if (all.filter((x) => x.kind === o.kind && x.metadata.name === o.metadata.name && x.metadata.namespace === o.metadata.namespace).length > 1 && !problems.some((p) => p.includes(`${o.kind} ${o.metadata.name} is given twice`))) {
      problems.push(`${o.kind} ${o.metadata.name} is given twice`);
    }
  }
  if (problems.length > 0) throw manifestProblemsError(problems, options.strict);

  if (podDocs.length + configObjects.length + workloads.length + others.length === 0) {
    throw new PodctlError('INVALID_ARGUMENT', `the manifests hold nothing podctl runs${warnings.length ? ` (${warnings.join('; ')})` : ''}`, { hint: 'give Pods, Deployments, Jobs, ConfigMaps, ... (see README: Manifests)' });
  }
  return { configObjects: configObjects.sort((a, b) => CONFIG_ORDER(a) - CONFIG_ORDER(b)), pods, workloads, others, warnings };
}

/** Namespaces, ConfigMaps, Secrets, claims: before anything that uses them. */
export async function applyConfigObjects(ctx: WorkloadContext, plan: ApplyPlan): Promise<string[]> {
  const lines: string[] = [];
  for (const o of plan.configObjects) lines.push(`${objectRef(o.kind, o.metadata.name)} ${await applyConfigObject(ctx.pods, ctx.store, o)}`);
  return lines;
}

export interface AppliedWorkload {
  /** kubectl's line: `deployment.apps/web created|configured|unchanged`. */
  line: string;
  /** The generation this apply wrote (or found): a later one means another command changed the workload since. */
  generation: number;
}

/**
 * One workload: store its record (a new generation when its spec changed) under the record
 * lock, then run its controller, which converges to the stored spec and brings back pods that
 * are down (`recordOnly`: the API's writes, whose pods serve's controllers converge). "unchanged"
 * means the spec, labels, annotations and pods were already as wanted; a re-apply that had to
 * restart or replace pods says "configured".
 */
export async function applyWorkload(ctx: WorkloadContext, w: Workload, options: { waitsAfter?: boolean; recordOnly?: boolean } = {}): Promise<AppliedWorkload> {
  const { existing, changed, record } = await withWorkloadRecord(ctx, w.kind, w.namespace, w.name, async (existing) => {
    const specChanged = !existing || canonicalJson(existing.spec) !== canonicalJson(w.obj.spec);
    // Labels and annotations (kubectl's last-applied-configuration) are stored too, without a new generation.
    const metaOf = (o: KubeObject) => canonicalJson([o.metadata.labels ?? {}, o.metadata.annotations ?? {}]);
    const changed = !existing || specChanged || metaOf(existing) !== metaOf(w.obj);
    if (existing && w.kind === 'Job' && canonicalJson((existing.spec as { template?: unknown }).template) !== canonicalJson(w.template)) {
      throw new PodctlError('INVALID_ARGUMENT', `job.batch/${w.name}: spec.template: field is immutable`, { hint: `delete the Job first: podctl delete job ${w.name}` });
    }
    const claimsOf = (spec: unknown) => canonicalJson((spec as { volumeClaimTemplates?: unknown } | undefined)?.volumeClaimTemplates ?? []);
    if (existing && w.kind === 'StatefulSet' && claimsOf(existing.spec) !== claimsOf(w.obj.spec)) {
      throw new PodctlError('INVALID_ARGUMENT', `statefulset.apps/${w.name}: spec.volumeClaimTemplates: field is immutable, as in Kubernetes (the claims already made keep their data)`, { hint: `delete the StatefulSet first (its claims stay): podctl delete statefulset ${w.name}` });
    }
    const generation = (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    const record: KubeObject = {
      ...w.obj,
      metadata: { ...w.obj.metadata, creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(), generation },
      ...(existing?.status ? { status: existing.status } : {}),
    };
    if (changed) await ctx.store.put(record);
    return { existing, changed, record };
  });
  const applied = { ...w, obj: record };
  let acted = false;
  if (options.recordOnly) {
    // The API's writes: serve's controllers see the record change and converge the pods.
  } else if (w.kind === 'Job') await reconcileJob(ctx, applied);
  else {
    // With a wait after it, a stalled rollout is not a failure yet: the wait says at its end what is missing.
    acted = await reconcileReplicas(ctx, applied).catch((err: unknown) => {
      if (options.waitsAfter && isPodctlError(err, 'FAILED_PRECONDITION')) return true;
      throw err;
    });
  }
  const outcome = !existing ? 'created' : changed || acted ? 'configured' : 'unchanged';
  return { line: `${objectRef(w.kind, w.name)} ${outcome}`, generation: record.metadata.generation ?? 1 };
}
