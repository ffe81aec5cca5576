import pLimit, { type LimitFunction } from 'p-limit';
import type { DeploymentSpec, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import type { JobSpec } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { PodManager } from '../../pod/manager.js';
import type { PodView } from '../../pod/status.js';
import { POD_CONCURRENCY, type PodSpec } from '../../pod/spec.js';
import { PodctlError, messageOf } from '../../util/errors.js';
import { deletePod } from '../apply/apply-pod.js';
import { rolloutStep, resolveIntOrPercent, templateHash, podSuffix } from '../controllers/rollout.js';
import { ordinalOf, statefulStep } from '../controllers/stateful.js';
import { recoveryOf } from '../controllers/recovery.js';
import type { ReplicaCounts } from '../controllers/replica-status.js';
import { claimsOf, lookupWithClaims, readClaimTemplates, setClaims, templateWithClaims, type ClaimTemplate, type RetentionPolicy } from '../controllers/stateful-claims.js';
import { applyConfigObject, deleteConfigObject, ensureClaimVolume } from './config-objects.js';
import { NO_OBJECTS } from '../object-lookup.js';
import { jobCondition, jobConditionMessage, observeJob, podOutcome, type JobStatus } from './job-status.js';
import { podReady, podSettled } from '../pod-status.js';
import { msUntilAvailable, podAvailable } from '../pod-available.js';
import { replicaWorkloadStatus, type ReplicaObservation, type ReplicaWorkloadStatus } from '../controllers/replica-workload-status.js';
import { EventLog, type KubeEvent } from '../events.js';
import { Fields, ManifestIssues } from '../fields.js';
import { isDnsSubdomain } from '../../util/validate.js';
import type { KubeObject, ObjectStore } from '../objects/store.js';
import { podFromTemplate, type ManifestDefaults } from '../parse-pod.js';
import { selectorPredicate, type LabelPredicate } from '../selector.js';
import { canonicalJson } from '../spec-hash.js';
import { API_VERSION } from '../object-ref.js';
import { FINALIZER, adoptedRefs, controllerRef, podsToAdopt, replicaSetUid, replicaSetsToAdopt, withoutOwner, type PropagationPolicy } from '../controllers/owners.js';
import type { OwnerRef } from '../../pod/spec.js';

/**
 * Deployment, ReplicaSet, DaemonSet and Job: a record plus pods made from its template. The
 * controllers run when a command changes or waits for the workload (apply, scale, rollout,
 * wait; never get or describe) and, while `podctl serve` runs, on every change it sees: each
 * lists the pods once, asks its pure
 * controller what to do, does it.
 */
export type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'DaemonSet' | 'StatefulSet' | 'Job';
export const WORKLOAD_KINDS: readonly string[] = ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job'];

export interface Workload {
  obj: KubeObject;
  kind: WorkloadKind;
  name: string;
  namespace: string;
  selector: LabelPredicate;
  /**
   * The pod template: Kubernetes' metadata; the spec stays a plain object, as parse-pod reads it
   * field by field (and checks it) whenever a pod is made from it.
   */
  template: Pick<PodTemplateSpec, 'metadata'> & { spec?: Record<string, unknown> };
  /** A StatefulSet's volumeClaimTemplates and their retention policy. */
  claims?: { templates: ClaimTemplate[]; retention: RetentionPolicy };
}

/**
 * The spec fields the controllers read, of any workload kind (each kind has some of them), as
 * Kubernetes types them; optional here because a record of one kind lacks the others' fields.
 */
type WorkloadSpec = Partial<
  Pick<DeploymentSpec, 'replicas' | 'selector' | 'strategy'> & Pick<StatefulSetSpec, 'serviceName'> & Pick<JobSpec, 'completions' | 'parallelism' | 'backoffLimit' | 'activeDeadlineSeconds'>
>;

const SPEC_FIELDS: Record<WorkloadKind, string[]> = {
  Deployment: ['replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'paused'],
  ReplicaSet: ['replicas', 'selector', 'template'],
  DaemonSet: ['selector', 'template', 'updateStrategy', 'revisionHistoryLimit'],
  StatefulSet: ['replicas', 'selector', 'template', 'serviceName', 'updateStrategy', 'revisionHistoryLimit', 'volumeClaimTemplates', 'persistentVolumeClaimRetentionPolicy'],
  Job: ['completions', 'parallelism', 'backoffLimit', 'activeDeadlineSeconds', 'template', 'selector', 'manualSelector', 'ttlSecondsAfterFinished', 'completionMode'],
};

const specOf = (w: Workload) => (w.obj.spec ?? {}) as WorkloadSpec;

/** Reads and checks a workload document, its pod template included (with a stand-in pod name). */
export function readWorkload(root: Fields, kind: WorkloadKind, namespace: string, defaults: ManifestDefaults): Workload | undefined {
  const issues = root.issues;
  const meta = root.object('metadata') ?? issues.error('metadata', 'is required');
  const spec = root.object('spec') ?? issues.error('spec', 'is required');
  if (!meta || !spec) return undefined;
  const name = meta.string('name', { required: true }) ?? '';
  if (name && (!isDnsSubdomain(name) || name.length > 52)) issues.error(meta.at('name'), 'must be a lowercase DNS-1123 name of at most 52 characters (pod names add a suffix)');
  const ns = meta.string('namespace') ?? namespace;
  let claims: Workload['claims'];
  spec.only(SPEC_FIELDS[kind], { revisionHistoryLimit: '*', progressDeadlineSeconds: '*', completionMode: 'NonIndexed', manualSelector: false, podManagementPolicy: 'OrderedReady' });
  if (kind === 'StatefulSet') {
    // Only OrderedReady rolling replacement of every pod: OnDelete and partitions are not honoured.
    const us = spec.object('updateStrategy');
    if (us && (us.raw('type') ?? 'RollingUpdate') !== 'RollingUpdate') issues.unsupported.push(us.at('type'));
    if (us?.object('rollingUpdate')) issues.unsupported.push(us.at('rollingUpdate'));
    const svc = spec.string('serviceName');
    if (svc !== undefined && svc !== '' && !isDnsSubdomain(svc)) issues.error(spec.at('serviceName'), 'must be a lowercase DNS-1123 name');
    const replicas = spec.raw('replicas');
    claims = readClaimTemplates(spec, name, typeof replicas === 'number' ? replicas : 1);
  }
  if (spec.has('paused')) issues.unsupported.push(spec.at('paused'));
  if (spec.has('ttlSecondsAfterFinished')) issues.unsupported.push(spec.at('ttlSecondsAfterFinished'));
  if (spec.has('minReadySeconds')) issues.unsupported.push(spec.at('minReadySeconds'));
  const template = (spec.raw('template') ?? {}) as Workload['template'];
  const templateLabels = template.metadata?.labels ?? {};
  let selector: LabelPredicate;
  if (kind === 'Job') {
    selector = (labels) => labels['job-name'] === name;
    const rp = template.spec?.restartPolicy;
    if (rp !== 'Never' && rp !== 'OnFailure') issues.error('spec.template.spec.restartPolicy', 'must be OnFailure or Never for a Job');
  } else {
    const sel = spec.object('selector') ?? issues.error(spec.at('selector'), 'is required');
    if (!sel) return undefined;
    sel.only(['matchLabels', 'matchExpressions']);
    const matchLabels = sel.stringMap('matchLabels') ?? {};
    const raw = sel.obj as NonNullable<WorkloadSpec['selector']>;
    if (Object.keys(matchLabels).length === 0 && !(raw.matchExpressions ?? []).length) issues.error(sel.path, 'must not be empty');
    selector = selectorPredicate({ matchLabels, matchExpressions: raw.matchExpressions });
    if (!selector(templateLabels)) issues.error('spec.template.metadata.labels', `do not match spec.selector (${JSON.stringify(matchLabels)}): the ${kind} would never find its pods`);
    const rs = spec.object('strategy')?.object('rollingUpdate');
    const replicas = spec.int('replicas', { min: 0 }) ?? 1;
    if (rs) {
      const surge = resolveIntOrPercent(rs.raw('maxSurge') as number | string | undefined, replicas, '25%', true);
      const unavailable = resolveIntOrPercent(rs.raw('maxUnavailable') as number | string | undefined, replicas, '25%', false);
      if (Number.isNaN(surge)) issues.error(rs.at('maxSurge'), 'must be a number or a percentage');
      if (Number.isNaN(unavailable)) issues.error(rs.at('maxUnavailable'), 'must be a number or a percentage');
      if (surge === 0 && unavailable === 0) issues.error(rs.at('maxUnavailable'), 'may not be 0 when maxSurge is 0');
    }
  }
  if (kind === 'Job') {
    spec.int('completions', { min: 1 });
    spec.int('parallelism', { min: 0 });
    spec.int('backoffLimit', { min: 0 });
    spec.int('activeDeadlineSeconds', { min: 1 });
  }
  // The template must make a valid pod: read it once now so its errors carry their paths.
  // Pod 0's claims stand in for every ordinal's (their names differ only in the ordinal).
  const check = podOfSet(claims, template, defaults, name, ns, 0);
  podFromTemplate(check.template, 'spec.template', { name: `${name || 'x'}-check`, namespace: ns }, check.defaults, issues);
  const obj: KubeObject = {
    apiVersion: API_VERSION[kind]!,
    kind,
    metadata: { name, namespace: ns, ...(meta.has('labels') ? { labels: meta.stringMap('labels') } : {}), ...(meta.has('annotations') ? { annotations: meta.stringMap('annotations') } : {}) },
    spec: spec.obj,
  };
  return { obj, kind, name, namespace: ns, selector, template, ...(claims ? { claims } : {}) };
}

/**
 * The template and defaults pod `ordinal` of a set is read with: with claim templates, its own
 * claims as volumes named after the templates, which the lookup then knows (unchanged without).
 */
function podOfSet(claims: Workload['claims'], template: Workload['template'], defaults: ManifestDefaults, set: string, namespace: string, ordinal: number): { template: Workload['template']; defaults: ManifestDefaults } {
  if (!claims) return { template, defaults };
  return {
    template: templateWithClaims(template, claims.templates, set, ordinal),
    defaults: { ...defaults, objects: lookupWithClaims(defaults.objects ?? NO_OBJECTS, claims.templates, set, namespace, ordinal) },
  };
}

/** Rebuilds a workload from its stored record (already checked when it was applied). */
export function workloadOf(obj: KubeObject, defaults: ManifestDefaults): Workload {
  const w = readWorkload(Fields.of(obj, '', new ManifestIssues())!, obj.kind as WorkloadKind, obj.metadata.namespace!, defaults);
  if (!w) throw new PodctlError('INTERNAL', `stored ${obj.kind} ${obj.metadata.name} cannot be read`);
  return { ...w, obj };
}

export interface WorkloadContext {
  pods: PodManager;
  store: ObjectStore;
  defaults: ManifestDefaults;
  /** How long a new pod may take to pass its probes (ms). */
  readyTimeoutMs: number;
  /** Progress lines ("pod/web-x created"). */
  report?: (line: string) => void;
  /**
   * `podctl serve`: one round per reconcile, never waiting for readiness. Each wait is handed
   * to `watchReadiness` (serve runs it detached and syncs the workload again when it ends), and
   * a rollout that can only go on once pods are ready returns instead of failing.
   */
  detached?: {
    watchReadiness(pod: string, join: () => Promise<void>): void;
    /** Look at the workload again after `ms`: a ready pod becomes available then, and no event says so. */
    recheckAfter(ms: number): void;
  };
}

const HASH_LABEL: Record<WorkloadKind, string | undefined> = { Deployment: 'pod-template-hash', DaemonSet: 'controller-revision-hash', StatefulSet: 'controller-revision-hash', ReplicaSet: undefined, Job: undefined };

export const hashOf = (w: Workload): string => templateHash(canonicalJson(w.template));

/** The workload's pods, from one list of every pod of its namespace. */
export function ownedPods(w: Workload, views: PodView[]): PodView[] {
  const hashLabel = HASH_LABEL[w.kind];
  return views.filter((v) => v.namespace === w.namespace && w.selector(v.labels) && (hashLabel === undefined || v.labels[hashLabel] !== undefined) && (w.kind !== 'StatefulSet' || ordinalOf(w.name, v.name) !== undefined));
}

/** A pod of the workload; a StatefulSet's by its ordinal (`web-0`, host name web-0, subdomain its serviceName). */
function podSpecFor(ctx: WorkloadContext, w: Workload, hash: string, ordinal?: number): PodSpec {
  const hashLabel = HASH_LABEL[w.kind];
  // As Kubernetes' generateName: the base is cut so the name stays a 63-character label.
  const prefix = (w.kind === 'Deployment' ? `${w.name}-${hash}` : w.name).slice(0, 57).replace(/[-.]+$/, '');
  const name = ordinal === undefined ? `${prefix}-${podSuffix()}` : `${w.name}-${ordinal}`;
  const labels = {
    ...(w.template.metadata?.labels ?? {}),
    ...(hashLabel ? { [hashLabel]: hash } : {}),
    ...(w.kind === 'Job' ? { 'job-name': w.name, 'batch.kubernetes.io/job-name': w.name } : {}),
    ...(ordinal !== undefined ? { 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) } : {}),
  };
  const issues = new ManifestIssues();
  // A StatefulSet pod mounts its own claims (made by ensureClaims just before it).
  const { template, defaults } = ordinal !== undefined ? podOfSet(w.claims, w.template, ctx.defaults, w.name, w.namespace, ordinal) : { template: w.template, defaults: ctx.defaults };
  const spec = podFromTemplate(template, 'spec.template', { name, namespace: w.namespace, labels }, defaults, issues);
  if (!spec || issues.errors.length > 0) throw new PodctlError('INVALID_ARGUMENT', `${w.kind} ${w.name}: ${issues.errors.map((e) => `${e.path}: ${e.reason}`).join('; ')}`, { hint: 'fix the manifest and apply again' });
  if (w.kind === 'Job' && spec.restartPolicy === 'on-failure') spec.restartRetries = specOf(w).backoffLimit ?? 6;
  const uid = w.obj.metadata.uid;
  if (uid) spec.ownerReferences = [podOwnerRef(w, uid, hash)];
  if (ordinal !== undefined) {
    spec.hostname = name;
    if (specOf(w).serviceName) spec.subdomain = specOf(w).serviceName;
  }
  return spec;
}

/** Who owns the workload's pod of `hash`, as Kubernetes records it: a Deployment's pods its ReplicaSet of their hash. */
function podOwnerRef(w: Workload, uid: string, hash: string): OwnerRef {
  return w.kind === 'Deployment' ? controllerRef('ReplicaSet', `${w.name}-${hash}`, replicaSetUid(uid, hash)) : controllerRef(w.kind, w.name, uid);
}

/**
 * Adoption (see owners.ts podsToAdopt), a controller's first step from its pod list: its pods
 * without a controller get its reference, and a Deployment takes back the ReplicaSets an Orphan
 * delete of an earlier Deployment of its selector kept: their pods name its ReplicaSets of their
 * hash again, then the records go (it shows them from its pods, as before the delete). No pod
 * is made or removed. The records are read only when a pod names another controller or none.
 * Whether anything was adopted.
 */
async function adoptOrphans(ctx: WorkloadContext, w: Workload, owned: PodView[]): Promise<boolean> {
  const uid = w.obj.metadata.uid;
  if (!uid) return false;
  const hashLabel = HASH_LABEL[w.kind];
  const wanted = (v: PodView) => podOwnerRef(w, uid, hashLabel ? (v.labels[hashLabel] ?? '') : '');
  // A pod being deleted is left to its deletion, as Kubernetes' controllers leave it.
  const strangers = owned.filter((v) => v.state !== 'removing' && !v.deletionTimestamp && v.ownerReferences?.find((r) => r.controller)?.uid !== wanted(v).uid);
  if (strangers.length === 0) return false;
  const replicaSets = w.kind === 'Deployment' ? replicaSetsToAdopt(await ctx.store.list('ReplicaSet', w.namespace), w.selector) : [];
  const pods = podsToAdopt(strangers, wanted, new Set(replicaSets.map((o) => o.metadata.uid!)));
  // The pods first: a pod still naming a record that went would be the garbage collector's.
  await eachLimited(pods, (v) => ctx.pods.setOwnerReferences(v, (refs) => adoptedRefs(refs, wanted(v))));
  for (const rs of replicaSets) {
    const { name } = rs.metadata;
    // The record taken back (not one of that name applied again meanwhile), and its own event log.
    const removed = await withWorkloadRecord(ctx, 'ReplicaSet', w.namespace, name, async (now) => now?.metadata.uid === rs.metadata.uid && (await ctx.store.remove('ReplicaSet', w.namespace, name)));
    if (removed) await new EventLog(ctx.store.stateDir).remove('ReplicaSet', w.namespace, name);
  }
  return pods.length > 0 || replicaSets.length > 0;
}

/**
 * Runs `fn` over items, at most POD_CONCURRENCY at once, each next item starting
 * as soon as any slot frees: a fixed batch would hold pod 9 until the slowest of pods 1-8 is ready.
 */
async function eachLimited<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  const limit = pLimit(POD_CONCURRENCY);
  let failing = false;
  // After a failure the queued items are skipped, as the next batch was before.
  const results = await Promise.allSettled(
    items.map((item) =>
      limit(async () => {
        if (failing) return;
        try {
          await fn(item);
        } catch (err) {
          failing = true;
          throw err;
        }
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

const isReady = podReady;

/**
 * Owned pods still waiting for readiness when no command waits for them any more (the one that
 * made them was killed during its wait: their checkpoint still says so) are waited for again,
 * each with its own probes, as the kubelet keeps probing: they join their Services when they
 * pass and count as not ready until then. Returns whether there were any.
 */
async function finishReadinessWaits(ctx: WorkloadContext, owned: PodView[]): Promise<boolean> {
  const pending = owned.filter((v) => v.state === 'running' && v.awaitingReady);
  if (ctx.detached) {
    for (const v of pending) ctx.detached.watchReadiness(v.name, () => ctx.pods.joinWhenReady(v, { timeoutMs: ctx.readyTimeoutMs }));
    return false;
  }
  // One that fails its probes again stays out, and the rollout step sees it as not ready.
  await Promise.all(pending.map((v) => ctx.pods.joinWhenReady(v, { timeoutMs: ctx.readyTimeoutMs }).catch(() => undefined)));
  return pending.length > 0;
}
const hasProbes = (spec: PodSpec) => spec.containers.some((c) => c.readinessProbe || c.startupProbe);

/** The controller's events, in the workload's own log (see events.ts). */
function record(ctx: WorkloadContext, w: Workload, events: Array<Omit<KubeEvent, 'from' | 'object'> & { object?: string }>): Promise<void> {
  const from = `${w.kind.toLowerCase()}-controller`;
  return new EventLog(ctx.store.stateDir).record(w.kind, w.namespace, w.name, events.map((e) => ({ object: `${w.kind.toLowerCase()}/${w.name}`, from, ...e })));
}

/** At most POD_CONCURRENCY pods in creation at once; each one's readiness wait holds no creation slot. */
async function createPods(ctx: WorkloadContext, w: Workload, hash: string, count: number): Promise<void> {
  const creating = pLimit(POD_CONCURRENCY);
  const specs = Array.from({ length: count }, () => podSpecFor(ctx, w, hash));
  const results = await Promise.allSettled(specs.map((spec) => runPod(ctx, w, spec, creating)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Runs one pod of the workload (ready when it has probes), with its event either way. */
async function runPod(ctx: WorkloadContext, w: Workload, spec: PodSpec, creating: LimitFunction = pLimit(1)): Promise<void> {
  try {
    const wait = hasProbes(spec) ? { timeoutMs: ctx.readyTimeoutMs } : undefined;
    const view = await creating(() => ctx.pods.startUnready(spec, wait));
    if (ctx.detached) ctx.detached.watchReadiness(spec.name, () => ctx.pods.joinWhenReady(view, wait));
    else await ctx.pods.joinWhenReady(view, wait);
  } catch (err) {
    // A pod that failed its probes or its start is gone again (run undoes it); the reason stays.
    const message = err instanceof Error ? err.message : String(err);
    await record(ctx, w, [{ type: 'Warning', reason: /probe|ready/i.test(message) ? 'Unhealthy' : 'FailedCreate', object: `pod/${spec.name}`, message }]);
    throw err;
  }
  await record(ctx, w, [{ type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${spec.name}` }]);
  ctx.report?.(`pod/${spec.name} created`);
}

async function deletePods(ctx: WorkloadContext, w: Workload, victims: PodView[]): Promise<void> {
  await eachLimited(victims, async (v) => {
    await deletePod(ctx.pods, v);
    await record(ctx, w, [{ type: 'Normal', reason: 'SuccessfulDelete', message: `Killed and deleted pod: ${v.name}` }]);
    ctx.report?.(`pod/${v.name} deleted`);
  });
}

/** kubectl's ScalingReplicaSet lines of a Deployment: the replica set of each template hash, up or down to its new size. */
function scalingEvents(w: Workload, currentHash: string, step: { create: number; deleteOld: number; deleteCurrent: number }, current: PodView[], old: PodView[], victims: PodView[]): Array<Omit<KubeEvent, 'from' | 'object'>> {
  if (w.kind !== 'Deployment') return [];
  const out: Array<Omit<KubeEvent, 'from' | 'object'>> = [];
  if (step.create > 0) out.push({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${w.name}-${currentHash} to ${current.length + step.create}` });
  if (step.deleteCurrent > 0) out.push({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled down replica set ${w.name}-${currentHash} to ${current.length - step.deleteCurrent}` });
  for (const hash of new Set(old.filter((v) => victims.includes(v)).map((v) => v.labels['pod-template-hash']!))) {
    const left = old.filter((v) => v.labels['pod-template-hash'] === hash && !victims.includes(v)).length;
    out.push({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled down replica set ${w.name}-${hash} to ${left}` });
  }
  return out;
}

/** Not-ready pods go first, then the newest (as the ReplicaSet controller picks). */
const byVictimOrder = (a: PodView, b: PodView) => Number(isReady(a)) - Number(isReady(b)) || b.created.localeCompare(a.created);

/**
 * Brings a Deployment, ReplicaSet or DaemonSet to its replicas of its current template,
 * replacing pods of older templates as maxSurge and maxUnavailable allow: each round lists
 * the pods once and creates or deletes what the rollout step says; new pods count once ready.
 * Returns whether anything changed.
 */
export function reconcileReplicas(ctx: WorkloadContext, w: Workload): Promise<boolean> {
  return ctx.pods.withLock(lockName(w), () => reconcileLocked(ctx, w));
}

/**
 * `reconcileReplicas` when no other process is reconciling the workload; undefined when one is
 * (it converges to the stored spec itself): for commands that only wait for the outcome.
 */
export async function reconcileReplicasIfFree(ctx: WorkloadContext, w: Workload): Promise<boolean | undefined> {
  const r = await ctx.pods.tryWithLock(lockName(w), () => reconcileLocked(ctx, w));
  return r.ran ? r.value : undefined;
}

async function reconcileLocked(ctx: WorkloadContext, w: Workload): Promise<boolean> {
  try {
    return await (w.kind === 'StatefulSet' ? reconcileStatefulLocked(ctx, w) : reconcileReplicasLocked(ctx, w));
  } finally {
    // A stalled rollout writes its status too: that is how its deadline passes.
    await writeReplicaStatus(ctx, w);
  }
}

/**
 * The controller's last step of a sync, a command's or serve's alike: the status from one pod
 * list, written into the record as it is now (a spec written meanwhile stays), and only when it
 * changed, so a steady workload's resourceVersion stays.
 */
async function writeReplicaStatus(ctx: WorkloadContext, given: Workload): Promise<void> {
  const views = await ctx.pods.list({ namespace: given.namespace, all: true });
  await withWorkloadRecord(ctx, given.kind, given.namespace, given.name, async (now) => {
    if (!now) return;
    const w = workloadOf(now, ctx.defaults);
    const status = replicaWorkloadStatus(now.status as ReplicaWorkloadStatus | undefined, replicaObservation(w, views, new Date()));
    if (canonicalJson(status) !== canonicalJson(now.status)) await ctx.store.put({ ...now, status });
    const minReadySeconds = (now.spec as { minReadySeconds?: number } | undefined)?.minReadySeconds ?? 0;
    const pending = ownedPods(w, views).flatMap((v) => msUntilAvailable(v, minReadySeconds) ?? []);
    if (pending.length > 0) ctx.detached?.recheckAfter(Math.min(...pending));
  });
}

/**
 * What a replica controller sees in one pod list. Ready means settled (up a full second, as the
 * waits count it: a crash loop's instants of running are not readiness); available, ready for
 * minReadySeconds.
 */
export function replicaObservation(w: Workload, views: PodView[], now: Date, ready: (v: PodView) => boolean = podSettled): ReplicaObservation {
  const c = replicaCounts(w, views, ready);
  const spec = w.obj.spec as { minReadySeconds?: number; progressDeadlineSeconds?: number } | undefined;
  const available = ownedPods(w, views).filter((v) => podAvailable(v, spec?.minReadySeconds ?? 0, ready)).length;
  return {
    kind: w.kind,
    name: w.name,
    generation: w.obj.metadata.generation ?? 1,
    desired: c.desired,
    maxUnavailable: rolloutLimits(w).maxUnavailable,
    ...(spec?.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: spec.progressDeadlineSeconds } : {}),
    hash: hashOf(w),
    replicas: c.replicas,
    updated: c.updated,
    ready: c.ready,
    available,
    now,
  };
}

/**
 * The workload as stored now, read under its controller's lock at every round: a reconcile
 * converges to the last write, never to the copy its caller started with (which another
 * command may have changed since). Undefined once the workload is deleted.
 */
async function storedWorkload(ctx: WorkloadContext, w: Workload): Promise<Workload | undefined> {
  const stored = await ctx.store.get(w.kind, w.namespace, w.name);
  // One being deleted (Foreground, Orphan) makes no more pods: its deletion is under way.
  return stored && !stored.metadata.deletionTimestamp ? workloadOf(stored, ctx.defaults) : undefined;
}

/**
 * Brings back the owned pods that are down (see recoveryOf): each is started again in place,
 * with its restart counted, and replaced (removed, for the round to make a new one) when it
 * cannot be started or was restarted once already in this reconcile. Returns whether any was
 * down. One line per pod says what was done.
 */
async function recoverPods(ctx: WorkloadContext, w: Workload, owned: PodView[], restarted: Set<string>): Promise<boolean> {
  // A pod being deleted went down on purpose.
  const down = owned.filter((v) => recoveryOf(v) !== undefined && !v.deletionTimestamp);
  await eachLimited(down, async (v) => {
    if (recoveryOf(v) === 'restart' && !restarted.has(v.name)) {
      restarted.add(v.name);
      try {
        const spec = await ctx.pods.getSpec(v);
        const wait = spec && hasProbes(spec) ? { timeoutMs: ctx.readyTimeoutMs } : undefined;
        const view = await ctx.pods.start(v, wait, { restartCount: true, joinReady: !ctx.detached });
        ctx.detached?.watchReadiness(v.name, () => ctx.pods.joinWhenReady(view, wait));
        await record(ctx, w, [{ type: 'Normal', reason: 'Restarted', object: `pod/${v.name}`, message: `Pod ${v.name} was ${v.state}; restarted in place` }]);
        ctx.report?.(`pod/${v.name} restarted`);
        return;
      } catch (err) {
        await record(ctx, w, [{ type: 'Warning', reason: 'FailedRestart', object: `pod/${v.name}`, message: `${messageOf(err)}; replacing the pod` }]);
      }
    }
    await deletePod(ctx.pods, v, 0);
    await record(ctx, w, [{ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted ${v.state} pod: ${v.name}` }]);
    ctx.report?.(`pod/${v.name} deleted (${v.state}: replaced)`);
  });
  return down.length > 0;
}

/**
 * A StatefulSet: one pod at a time, as statefulStep says (web-0 ready before web-1 is made,
 * the highest removed or replaced first). A pod that is not ready stops the set, as in
 * Kubernetes; the error says which.
 */
async function reconcileStatefulLocked(ctx: WorkloadContext, given: Workload): Promise<boolean> {
  let changed = false;
  const restarted = new Set<string>();
  for (let round = 0; round < roundsOf(ctx); round++) {
    const w = await storedWorkload(ctx, given);
    if (!w) break;
    const replicas = specOf(w).replicas ?? 1;
    const hash = hashOf(w);
    const owned = ownedPods(w, await ctx.pods.list({ namespace: w.namespace, all: true }));
    if (round === 0 && (await adoptOrphans(ctx, w, owned))) changed = true;
    if (round === 0 && (await finishReadinessWaits(ctx, owned))) continue;
    if (await recoverPods(ctx, w, owned, restarted)) {
      changed = true;
      continue;
    }
    const byOrdinal = new Map(owned.map((v) => [ordinalOf(w.name, v.name)!, v]));
    const step = statefulStep(replicas, [...byOrdinal].map(([ordinal, v]) => ({ ordinal, ready: isReady(v), current: v.labels['controller-revision-hash'] === hash })));
    if (step.action === 'done') break;
    if (step.action === 'wait') {
      if (ctx.detached) break;
      throw new PodctlError('FAILED_PRECONDITION', `statefulset ${w.name}: pod ${w.name}-${step.ordinal} is not ready (${byOrdinal.get(step.ordinal)!.state}); the pods above it wait for it`, {
        hint: `see podctl describe statefulset ${w.name} and podctl logs ${w.name}-${step.ordinal}; delete the pod to have it made again`,
      });
    }
    changed = true;
    if (step.action === 'create') {
      const spec = podSpecFor(ctx, w, hash, step.ordinal);
      await ensureClaims(ctx, w, step.ordinal);
      await runPod(ctx, w, spec);
    } else {
      await deletePods(ctx, w, [byOrdinal.get(step.ordinal)!]);
      if (step.ordinal >= replicas && w.claims?.retention.whenScaled === 'Delete') await deleteStatefulClaims(ctx, w, (ordinal) => ordinal === step.ordinal);
    }
  }
  return changed;
}

/**
 * Pod `ordinal`'s claims, before the pod: a missing one is made as an applied claim would be
 * (record and Docker volume); one that exists is used as it is, as Kubernetes does.
 */
async function ensureClaims(ctx: WorkloadContext, w: Workload, ordinal: number): Promise<void> {
  const pod = `${w.name}-${ordinal}`;
  for (const claim of claimsOf(w.claims?.templates ?? [], w.name, w.namespace, ordinal, specOf(w).selector?.matchLabels ?? {})) {
    if (await ctx.store.get(claim.kind, w.namespace, claim.metadata.name)) {
      await ensureClaimVolume(ctx.pods, w.namespace, claim.metadata.name);
      continue;
    }
    await applyConfigObject(ctx.pods, ctx.store, claim);
    await record(ctx, w, [{ type: 'Normal', reason: 'SuccessfulCreate', message: `create Claim ${claim.metadata.name} Pod ${pod} in StatefulSet ${w.name} success` }]);
    ctx.report?.(`persistentvolumeclaim/${claim.metadata.name} created`);
  }
}

/** The set's claims (`<template>-<set>-N`) whose ordinal `which` picks: record and volume, as `delete pvc` does. */
export async function deleteStatefulClaims(ctx: WorkloadContext, w: Workload, which: (ordinal: number) => boolean = () => true): Promise<void> {
  const names = (await ctx.store.list('PersistentVolumeClaim', w.namespace)).map((o) => o.metadata.name);
  for (const c of setClaims(w.claims?.templates ?? [], w.name, names).filter((x) => which(x.ordinal))) {
    await deleteConfigObject(ctx.pods, ctx.store, 'PersistentVolumeClaim', w.namespace, c.name, false);
    ctx.report?.(`persistentvolumeclaim/${c.name} deleted`);
  }
}

/** Rounds of a reconcile: serve's syncs do one and are called again (see WorkloadContext.detached). */
const roundsOf = (ctx: WorkloadContext) => (ctx.detached ? 1 : 1000);

/** One controller run per workload at a time, across processes. */
const lockName = (w: Pick<Workload, 'kind' | 'namespace' | 'name'>) => `workload-${w.kind.toLowerCase()}-${w.namespace}_${w.name}`;

/**
 * Writes of one workload's record, serialised across processes by a lock of their own, held
 * only for the read-modify-write (the controller's lock is held through whole rollouts): two
 * commands never write from the same stale copy, so the last write wins whole.
 */
export function withWorkloadRecord<T>(ctx: WorkloadContext, kind: string, namespace: string, name: string, fn: (stored: KubeObject | undefined) => Promise<T>): Promise<T> {
  return ctx.pods.withLock(`workload-record-${kind.toLowerCase()}-${namespace}_${name}`, async () => fn(await ctx.store.get(kind, namespace, name)));
}

/**
 * Changes a stored workload's spec (scale, rollout restart) under the record lock, from the
 * record as it is now: a new generation when the spec changed. Undefined when it does not exist.
 */
export function updateWorkloadSpec(ctx: WorkloadContext, kind: string, namespace: string, name: string, change: (spec: Record<string, unknown>) => Record<string, unknown>): Promise<KubeObject | undefined> {
  return withWorkloadRecord(ctx, kind, namespace, name, async (stored) => {
    if (!stored) return undefined;
    const spec = change((stored.spec ?? {}) as Record<string, unknown>);
    if (canonicalJson(spec) === canonicalJson(stored.spec)) return stored;
    const next = { ...stored, metadata: { ...stored.metadata, generation: (stored.metadata.generation ?? 1) + 1 }, spec };
    await ctx.store.put(next);
    return next;
  });
}

/** How a workload is deleted (Kubernetes' DeleteOptions, as kubectl's --cascade and --grace-period give them). */
export interface DeleteOptions {
  /**
   * Background (the default): the record goes at once, then its pods. Foreground: the record
   * stays, with a deletionTimestamp and the foregroundDeletion finalizer, until its pods are
   * gone. Orphan: the record goes (after the orphan finalizer's work) and its dependents stay,
   * without their reference to it; a Deployment's ReplicaSets are kept as records of their own.
   */
  propagationPolicy?: PropagationPolicy;
  /** The seconds each pod's containers get to stop (0: at once); default each pod's terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number;
  /**
   * Return once the record is deleted or marked, leaving the dependents to `podctl serve` (its
   * garbage collector removes the pods of an owner that is gone, its sync of a marked workload
   * finishes the deletion): for the API inside serve. Without it (the commands) the deletion is
   * done here, whole, whether serve runs or not.
   */
  leaveDependentsToServe?: boolean;
}

/**
 * Deletes a workload as Kubernetes does, by `options.propagationPolicy` (see DeleteOptions).
 * Background removes its record first (under the record lock, so no later write brings it back
 * and every running reconcile stops at its next round), then, under the controller's lock (after
 * any reconcile in progress), its pods and its event log; when a pod cannot be removed the
 * record is put back for a retry. Foreground and Orphan mark the record first (a process killed
 * meanwhile leaves the mark, and serve or the next delete finishes it). Claims of a StatefulSet
 * stay (Kubernetes' default, whenDeleted: Retain) unless its policy says Delete. False when
 * there was no such workload.
 */
export async function deleteWorkload(ctx: WorkloadContext, kind: WorkloadKind, namespace: string, name: string, options: DeleteOptions = {}): Promise<boolean> {
  const policy = options.propagationPolicy ?? 'Background';
  const grace = options.gracePeriodSeconds;
  if (policy !== 'Background') {
    const marked = await withWorkloadRecord(ctx, kind, namespace, name, async (stored) => {
      if (!stored) return undefined;
      const finalizer = FINALIZER[policy];
      if (stored.metadata.deletionTimestamp && stored.metadata.finalizers?.includes(finalizer)) return stored;
      const metadata = {
        ...stored.metadata,
        deletionTimestamp: stored.metadata.deletionTimestamp ?? new Date().toISOString(),
        ...(grace !== undefined ? { deletionGracePeriodSeconds: grace } : {}),
        finalizers: [...new Set([...(stored.metadata.finalizers ?? []), finalizer])],
      };
      return ctx.store.put({ ...stored, metadata });
    });
    if (!marked) return false;
    if (!options.leaveDependentsToServe) await finishDeletion(ctx, marked);
    return true;
  }
  const o = await withWorkloadRecord(ctx, kind, namespace, name, async (stored) => {
    if (stored) await ctx.store.remove(kind, namespace, name);
    return stored;
  });
  if (!o) return false;
  const w = workloadOf(o, ctx.defaults);
  // The garbage collector removes pods only; claims the set's policy deletes are removed here.
  if (options.leaveDependentsToServe && w.claims?.retention.whenDeleted !== 'Delete') {
    await new EventLog(ctx.store.stateDir).remove(kind, namespace, name);
    return true;
  }
  await ctx.pods.withLock(lockName(w), async () => {
    await deleteDependents(ctx, w, grace).catch(async (err: unknown) => {
      // A pod that could not be removed keeps its workload's record (unless one was applied
      // again meanwhile), so that the delete can be run again.
      await withWorkloadRecord(ctx, kind, namespace, name, async (now) => void (now ?? (await ctx.store.put(o))));
      throw err;
    });
  });
  return true;
}

/** The workload's pods (each with `grace`, or its own grace period), its claims when its policy says so, its events. */
async function deleteDependents(ctx: WorkloadContext, w: Workload, grace: number | undefined): Promise<void> {
  const pods = ownedPods(w, await ctx.pods.list({ namespace: w.namespace, all: true }));
  // All Terminating at once (as `get` shows them), so no other controller or garbage collector
  // takes one for its own deletion with another grace period meanwhile.
  await Promise.all(pods.map((v) => ctx.pods.beginDeletion(v, grace)));
  await eachLimited(pods, async (v) => void (await deletePod(ctx.pods, v, grace)));
  if (w.claims?.retention.whenDeleted === 'Delete') await deleteStatefulClaims(ctx, w);
  await new EventLog(ctx.store.stateDir).remove(w.kind, w.namespace, w.name);
}

/**
 * Does what a marked workload's finalizers ask, under its controller's lock, then removes its
 * record (the one marked: a workload applied again meanwhile is another object and stays):
 * `foregroundDeletion` deletes its pods first, `orphan` takes its reference off its pods (a
 * Deployment's ReplicaSets become records of their own, keeping their pods). A command's
 * Foreground or Orphan delete runs it, and serve's sync of a marked workload (a command killed
 * meanwhile, or the API's delete).
 */
export async function finishDeletion(ctx: WorkloadContext, marked: KubeObject): Promise<void> {
  const w = workloadOf(marked, ctx.defaults);
  const finalizers = marked.metadata.finalizers ?? [];
  await ctx.pods.withLock(lockName(w), async () => {
    if (finalizers.includes(FINALIZER.Orphan)) await orphanDependents(ctx, w);
    if (finalizers.includes(FINALIZER.Foreground)) await deleteDependents(ctx, w, marked.metadata.deletionGracePeriodSeconds);
  });
  const removed = await withWorkloadRecord(ctx, w.kind, w.namespace, w.name, async (now) => now?.metadata.uid === marked.metadata.uid && (await ctx.store.remove(w.kind, w.namespace, w.name)));
  if (removed) await new EventLog(ctx.store.stateDir).remove(w.kind, w.namespace, w.name);
}

/** Orphan propagation: the pods lose their reference to the workload; a Deployment's ReplicaSets are stored, keeping theirs. */
async function orphanDependents(ctx: WorkloadContext, w: Workload): Promise<void> {
  const uid = w.obj.metadata.uid;
  const pods = ownedPods(w, await ctx.pods.list({ namespace: w.namespace, all: true }));
  if (w.kind === 'Deployment' && uid) {
    const current = hashOf(w);
    for (const hash of new Set([current, ...pods.map((v) => v.labels['pod-template-hash']!)])) {
      const count = pods.filter((v) => v.labels['pod-template-hash'] === hash).length;
      await ctx.store.put(replicaSetRecord(w, hash, uid, hash === current ? desiredReplicas(w) : count));
    }
    return;
  }
  await eachLimited(pods, (v) => ctx.pods.setOwnerReferences(v, (refs) => withoutOwner(refs, uid ?? '')));
}

/** A Deployment's ReplicaSet of one template hash as a record of its own (Orphan), with the uid its pods name. */
function replicaSetRecord(d: Workload, hash: string, deploymentUid: string, replicas: number): KubeObject {
  const selector = (d.obj.spec as Partial<DeploymentSpec>).selector ?? {};
  const labels = { ...(d.template.metadata?.labels ?? {}), 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${d.name}-${hash}`, namespace: d.namespace, labels, uid: replicaSetUid(deploymentUid, hash), generation: 1 },
    spec: {
      replicas,
      selector: { ...selector, matchLabels: { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash } },
      template: { ...d.template, metadata: { ...(d.template.metadata ?? {}), labels } },
    },
  };
}

/** The replicas a Deployment, ReplicaSet, DaemonSet or StatefulSet wants (a DaemonSet: one, the one node). */
export const desiredReplicas = (w: Workload): number => (w.kind === 'DaemonSet' ? 1 : (specOf(w).replicas ?? 1));

/** How far a rolling update may go: maxSurge and maxUnavailable resolved against the replicas. */
export function rolloutLimits(w: Workload): { maxSurge: number; maxUnavailable: number } {
  const spec = specOf(w);
  const replicas = desiredReplicas(w);
  const recreate = spec.strategy?.type === 'Recreate';
  const rolling = spec.strategy?.rollingUpdate;
  if (w.kind === 'StatefulSet') return { maxSurge: 0, maxUnavailable: 1 };
  const maxSurge = w.kind === 'DaemonSet' || recreate ? 0 : resolveIntOrPercent(rolling?.maxSurge, replicas, '25%', true);
  const maxUnavailable = w.kind === 'DaemonSet' ? 1 : recreate ? replicas : resolveIntOrPercent(rolling?.maxUnavailable, replicas, '25%', false);
  return { maxSurge, maxUnavailable };
}

/** The workload's status counts (get, describe, the waits with a stricter `ready`), from one pod list. */
export function replicaCounts(w: Workload, views: PodView[], ready: (v: PodView) => boolean = isReady): ReplicaCounts {
  const owned = ownedPods(w, views);
  const hashLabel = HASH_LABEL[w.kind];
  const hash = hashOf(w);
  const updated = owned.filter((v) => hashLabel === undefined || v.labels[hashLabel] === hash);
  return { desired: desiredReplicas(w), replicas: owned.length, updated: updated.length, ready: owned.filter(ready).length, updatedReady: updated.filter(ready).length };
}

/** Pods whose removal this process is finishing (`namespace/name`): one attempt each at a time. */
const finishing = new Set<string>();
/** At most POD_CONCURRENCY of them at once: a hundred at once queue on the Services lock for minutes. */
const finishingLimit = pLimit(POD_CONCURRENCY);

/**
 * Finishes removals that their process left undone (a command or serve killed with -9 keeps
 * the pod `removing` for good), as the kubelet finishes a terminating pod. Aside from the
 * round. A pod whose lock is held is left to its holder (a `podctl delete` removing it, or its
 * graceful stop): taking turns with it would only make both wait; a later sync comes back to
 * the pod if that holder dies.
 */
function finishRemovals(ctx: WorkloadContext, removing: PodView[]): void {
  for (const v of removing) {
    const key = `${v.namespace}/${v.name}`;
    if (finishing.has(key)) continue;
    finishing.add(key);
    void finishingLimit(() => ctx.pods.remove(v, true, { lockWaitMs: 0 }))
      .catch(() => undefined)
      .finally(() => finishing.delete(key));
  }
}

async function reconcileReplicasLocked(ctx: WorkloadContext, given: Workload): Promise<boolean> {
  let changed = false;
  const restarted = new Set<string>();
  for (let round = 0; round < roundsOf(ctx); round++) {
    const w = await storedWorkload(ctx, given);
    if (!w) break;
    const replicas = desiredReplicas(w);
    const { maxSurge, maxUnavailable } = rolloutLimits(w);
    const hash = hashOf(w);
    const hashLabel = HASH_LABEL[w.kind];
    // A pod being removed counts no more, as Kubernetes' controllers skip terminating pods:
    // its successor starts at once (`podctl rm` of a replica while serve runs).
    const all = ownedPods(w, await ctx.pods.list({ namespace: w.namespace, all: true }));
    if (round === 0 && (await adoptOrphans(ctx, w, all))) changed = true;
    // Also a pod marked for deletion whose deleting process failed or died (a dockerd restart
    // under its stop): removed once nothing holds it (a graceful stop in progress holds its lock).
    finishRemovals(ctx, all.filter((v) => v.state === 'removing' || v.deletionTimestamp !== undefined));
    // A pod in its grace period (deletionTimestamp, not yet removing) still counts, as before:
    // maxSurge holds for the pods that exist; it is only never brought back (recoverPods).
    const owned = all.filter((v) => v.state !== 'removing');
    if (round === 0 && (await finishReadinessWaits(ctx, owned))) continue;
    const current = owned.filter((v) => hashLabel === undefined || v.labels[hashLabel] === hash);
    // Pods of older templates that are down are not restarted: the rollout removes them first.
    if (await recoverPods(ctx, w, current, restarted)) {
      changed = true;
      continue;
    }
    const old = owned.filter((v) => !current.includes(v));
    const count = (list: PodView[]) => ({ total: list.length, ready: list.filter(isReady).length });
    const step = rolloutStep({ replicas, maxSurge: Math.max(0, maxSurge), maxUnavailable: Math.max(maxSurge === 0 ? 1 : 0, maxUnavailable), current: count(current), old: count(old) });
    if (step.done) break;
    if (step.stuck) {
      if (ctx.detached) break;
      throw new PodctlError('FAILED_PRECONDITION', `${w.kind.toLowerCase()} ${w.name}: rollout stalled: ${current.length - current.filter(isReady).length} new pod(s) are not ready; the old pods keep serving`, {
        hint: `see podctl describe ${w.kind.toLowerCase()} ${w.name} and podctl logs ${w.kind.toLowerCase()}/${w.name}`,
      });
    }
    changed = true;
    const victims = [...[...old].sort(byVictimOrder).slice(0, step.deleteOld), ...[...current].sort(byVictimOrder).slice(0, step.deleteCurrent)];
    await record(ctx, w, scalingEvents(w, hash, step, current, old, victims));
    await Promise.all([deletePods(ctx, w, victims), createPods(ctx, w, hash, step.create)]);
  }
  return changed;
}

/**
 * One pass of the Job controller: count the pods' outcomes (observeJob), release the network
 * of finished pods (kept, for their logs), start pods up to parallelism, or record the Job's end.
 */
export function reconcileJob(ctx: WorkloadContext, w: Workload): Promise<{ status: JobStatus; active: PodView[] }> {
  return ctx.pods.withLock(lockName(w), () => reconcileJobLocked(ctx, w));
}

async function reconcileJobLocked(ctx: WorkloadContext, given: Workload): Promise<{ status: JobStatus; active: PodView[] }> {
  const stored = (await ctx.store.get(given.kind, given.namespace, given.name)) as (KubeObject & { status?: JobStatus }) | undefined;
  // Deleted meanwhile, or being deleted: nothing to run, and no status to write back.
  if (!stored || stored.metadata.deletionTimestamp) return { status: { active: 0, succeeded: 0, failed: 0 }, active: [] };
  // The record as stored: its uid is what the pods' owner references name.
  const w = { ...given, obj: stored };
  const owned = async () => ownedPods(w, await ctx.pods.list({ namespace: w.namespace, all: true }));
  const pods = await owned();
  await adoptOrphans(ctx, w, pods);
  const seen = observeJob(w, stored.status, pods);
  const { active, finished, terminating, step } = seen;
  // A finished pod keeps its containers (logs) but not its address.
  await eachLimited(finished.filter((v) => v.pause.state === 'running'), (v) => ctx.pods.stop(v));
  // A failed Job's active pods go, as Kubernetes deletes them, and so do pods whose removal a
  // killed process left undone. Removed at once (forced, no grace): the pod reads 'removing'
  // from the first step, never stopped-but-present as if its app had ended by itself.
  const removals = [...terminating, ...(step?.stopActive ? active : [])];
  // Active pods removed because the Job failed count as failed, as Kubernetes counts them:
  // recorded before they go, so a killed controller's successor counts them too.
  if (step?.stopActive && active.length > 0) {
    await withWorkloadRecord(ctx, w.kind, w.namespace, w.name, async (now) => {
      if (now) await ctx.store.put({ ...now, status: { ...seen.status, failed: seen.status.failed + active.length } });
    });
  }
  await eachLimited(removals, async (v) => void (await ctx.pods.remove(v, true)));
  // The status as the pods are after the removals: the end is recorded once none is left to stop.
  const next = removals.length > 0 ? observeJob(w, (await ctx.store.get<KubeObject & { status?: JobStatus }>(w.kind, w.namespace, w.name))?.status, await owned()).status : seen.status;
  if (step?.condition) {
    await record(ctx, w, [step.condition.type === 'Complete' ? { type: 'Normal', reason: 'Completed', message: 'Job completed' } : { type: 'Warning', reason: step.condition.reason, message: jobConditionMessage(step.condition) }]);
  } else if (step) await createPods(ctx, w, '', step.create);
  // The status goes into the record as it is now (a spec written meanwhile stays), and only
  // when it changed: each write wakes the Job's controller again, so writing an unchanged
  // status made a finished Job's sync run forever under serve.
  await withWorkloadRecord(ctx, w.kind, w.namespace, w.name, async (now) => {
    if (now && canonicalJson(now.status) !== canonicalJson(next)) await ctx.store.put({ ...now, status: next });
  });
  return { status: next, active: jobCondition(next) ? [] : (await ctx.pods.list({ namespace: w.namespace, all: true })).filter((v) => w.selector(v.labels) && v.state !== 'removing' && podOutcome(v) === 'active') };
}
