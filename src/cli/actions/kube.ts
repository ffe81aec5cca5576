import type { Command } from 'commander';
import type { PropagationPolicy } from '../../kube/controllers/owners.js';
import { stringify } from 'yaml';
import { DEFAULT_PAUSE_IMAGE } from '../../docker/pause-image.js';
import { manifestFromPod, type GeneratedPod, type GeneratedPodList } from '../../kube/generate-pod.js';
import { applyConfigObjects, applyPod, applyWorkload, deletePod, describeRef, objectRef, planApply, readManifests, type ManifestDocument } from '../../kube/apply/index.js';
import { WORKLOAD_KINDS, type Workload, type WorkloadContext } from '../../kube/kinds/workloads.js';
import { objectLookup } from '../../kube/kinds/config-objects.js';
import { ObjectStore, STORED_KINDS, type KubeObject } from '../../kube/objects/store.js';
import { parseSelector } from '../../kube/selector.js';
import type { PodView } from '../../pod/status.js';
import { SERVICE_KIND, applyServices, isServiceDocument, loadServices, serviceRefOf, serviceRefText } from '../../kube/kinds/service-apply.js';
import type { PodManager } from '../../pod/manager.js';
import { formatPodRef, parsePodRef, type PodRef } from '../../pod/naming.js';
import { DEFAULT_NAMESPACE } from '../../pod/spec.js';
import { PodctlError, invalidArgument, messageOf } from '../../util/errors.js';
import { openPods } from '../context.js';
import { podTable, visibleColumns } from '../../kube/tables.js';
import { parseOutputFormat, renderTable, write } from '../output.js';
import { waitSpecFromFlags } from './pods.js';
import { forEachReported } from '../each.js';
import { parseResourceArgs } from '../resource-args.js';
import { kindOf as objectKindOf, serviceKindOf } from '../resource-names.js';

interface ManifestFlags {
  filename: string[];
  namespace?: string;
}

const warn = (line: string) => process.stderr.write(`podctl: warning: ${line}\n`);

async function defaultNetwork(pods: PodManager): Promise<string> {
  return pods.defaultNetwork();
}

export async function applyAction(cmd: Command): Promise<void> {
  const flags = cmd.opts() as ManifestFlags & { strict?: boolean; wait?: boolean; timeout?: number; session?: string };
  const wait = waitSpecFromFlags({ wait: flags.wait, timeout: flags.timeout });
  const docs = await readManifests(flags.filename);
  // Every document is checked before anything changes.
  const services = loadServices(docs.filter(isServiceDocument), DEFAULT_NAMESPACE, { strict: flags.strict ?? false, namespaceFlag: flags.namespace });
  const pods = await openPods(cmd);
  const store = new ObjectStore(pods.stateDir);
  const defaults = { namespace: DEFAULT_NAMESPACE, defaultNetwork: await defaultNetwork(pods), pauseImage: DEFAULT_PAUSE_IMAGE, session: flags.session };
  // Every document is checked before anything changes.
  const plan = await planApply(docs, defaults, store, { strict: flags.strict ?? false, namespaceFlag: flags.namespace, otherKinds: [SERVICE_KIND] });
  [...services.warnings, ...plan.warnings].forEach(warn);
  const ctx = {
    pods,
    store,
    defaults: { ...defaults, namespace: flags.namespace ?? DEFAULT_NAMESPACE, objects: await objectLookup(store, plan.configObjects) },
    readyTimeoutMs: wait?.timeoutMs ?? 60_000,
    report: (line: string) => write(`${line}\n`),
  };
  // What pods use first (config objects, then Services, whose env and DNS names pods get), then pods, then workloads.
  write((await applyConfigObjects(ctx, plan)).map((l) => `${l}\n`).join(''));
  if (services.specs.length > 0) write((await applyServices(pods, services, warn)).map((l) => `${l}\n`).join(''));
  await forEachReported(plan.pods, (p) => describeRef(p.spec), async ({ spec }) => {
    const result = await applyPod(pods, spec, wait);
    return `${describeRef(result.ref)} ${result.outcome}`;
  });
  const applied = [];
  for (const w of plan.workloads) {
    const result = await applyWorkload(ctx, w, { waitsAfter: wait !== undefined });
    write(`${result.line}\n`);
    applied.push({ w, generation: result.generation });
  }
  if (wait) await waitForWorkloads(ctx, applied.filter((a) => a.w.kind !== 'Job'), Date.now() + wait.timeoutMs);
}

/**
 * `apply --wait`: every applied replica workload rolled out (its replicas of the current
 * template ready, no other pod left) by the deadline, or exit 1 naming what is missing; one
 * that another command changed meanwhile is no longer this apply's to wait for, and says so.
 */
async function waitForWorkloads(ctx: WorkloadContext, applied: Array<{ w: Workload; generation: number }>, deadline: number): Promise<void> {
  if (applied.length === 0) return;
  const { waitForReplicas } = await import('../../kube/kinds/workload-wait.js');
  await forEachReported(applied, ({ w }) => objectRef(w.kind, w.name), async ({ w, generation }) => {
    const result = await waitForReplicas(ctx, { kind: w.kind, namespace: w.namespace, name: w.name, goal: 'rolled-out', deadline, generation });
    return result.reached ? `${objectRef(w.kind, w.name)} rolled out` : `${objectRef(w.kind, w.name)} changed by another command since (generation ${result.supersededBy}): not waiting for it`;
  });
}

export async function deleteAction(cmd: Command, args: string[]): Promise<void> {
  const flags = cmd.opts() as Partial<ManifestFlags> & { gracePeriod?: number; cascade?: PropagationPolicy; ignoreNotFound?: boolean; force?: boolean };
  if (args.length > 0 && flags.filename?.length) throw invalidArgument('delete takes -f FILE or resources, not both', 'run it once for each');
  if (args.length > 0) {
    const groups = parseResourceArgs(args, 'delete');
    const bare = groups.find((g) => g.names.length === 0);
    if (bare) throw invalidArgument(`resource(s) were provided, but no name was specified: ${bare.resource}`, `e.g. podctl delete ${bare.resource} NAME or ${bare.resource}/NAME`);
    // Every type is checked before anything is deleted.
    for (const g of groups) deletableResource(g.resource);
    for (const g of groups) await deleteNamed(cmd, g.resource, g.names);
    return;
  }
  if (!flags.filename?.length) throw invalidArgument('nothing to delete', 'give -f FILE, or KIND NAME (podctl delete deployment web)');
  const grace = flags.gracePeriod;
  const docs = await readManifests(flags.filename);
  const namespace = flags.namespace ?? DEFAULT_NAMESPACE;
  const serviceRefs = docs.filter(isServiceDocument).map((d) => serviceRefOf(d, namespace));
  const rest = docs.filter((d) => !isServiceDocument(d));
  const objectDocs = rest.filter((d) => kindOfObject(d.value) !== undefined);
  const refs = rest.filter((d) => !objectDocs.includes(d)).flatMap((doc) => refOf(doc.value, namespace, doc.source));
  const pods = await openPods(cmd);
  // Pods first (they may use the claims and ConfigMaps of the same file), then workloads with
  // their pods, then what pods use, Services (their endpoints have left by then), Namespaces
  // last. Every target is tried; the first failure is reported at the end.
  let failure: unknown;
  if (refs.length > 0 || (objectDocs.length === 0 && serviceRefs.length === 0)) {
    await forEachReported(refs, describeRef, removePod(pods, flags.ignoreNotFound, grace)).catch((err: unknown) => (failure = err));
  }
  const order = (k: string) => (WORKLOAD_KINDS.includes(k) ? 0 : k === 'Namespace' ? 2 : 1);
  const targets = objectDocs
    .map((d) => ({ kind: kindOfObject(d.value)!, ns: String((d.value as { metadata?: { namespace?: unknown } }).metadata?.namespace ?? namespace), name: String((d.value as { metadata?: { name?: unknown } }).metadata?.name ?? '') }))
    .sort((a, b) => order(a.kind) - order(b.kind));
  const deleteTargets = async (list: typeof targets) => {
    if (list.length === 0) return;
    const { deleteObject } = await import('../../kube/kinds/delete-object.js');
    const ctx = { pods, store: new ObjectStore(pods.stateDir), defaults: { namespace, defaultNetwork: '', pauseImage: DEFAULT_PAUSE_IMAGE }, readyTimeoutMs: 60_000 };
    await forEachReported(list, (t) => objectRef(t.kind, t.name), async (t) => {
      if (await deleteObject(ctx, t.kind, t.ns, t.name, flags.force ?? false, { propagationPolicy: flags.cascade, gracePeriodSeconds: grace })) return `${objectRef(t.kind, t.name)} deleted`;
      if (!flags.ignoreNotFound) throw new PodctlError('NOT_FOUND', `${objectRef(t.kind, t.name)} not found`, { hint: 'use --ignore-not-found to skip what is gone' });
    }, 1).catch((err: unknown) => (failure ??= err));
  };
  await deleteTargets(targets.filter((t) => t.kind !== 'Namespace'));
  await forEachReported(serviceRefs, serviceRefText, removeService(pods, flags.ignoreNotFound), 1).catch((err: unknown) => (failure ??= err));
  await deleteTargets(targets.filter((t) => t.kind === 'Namespace'));
  if (failure) throw failure;
}

/** Deletes one pod (stopped within `grace` seconds when given), reporting it; a missing one fails NOT_FOUND unless ignoreNotFound. */
function removePod(pods: PodManager, ignoreNotFound: boolean | undefined, grace: number | undefined) {
  return async (ref: PodRef): Promise<string | void> => {
    if (await deletePod(pods, ref, grace)) return `${describeRef(ref)} deleted`;
    if (!ignoreNotFound) throw new PodctlError('NOT_FOUND', `${describeRef(ref)} not found`, { hint: 'use --ignore-not-found to skip pods that are gone' });
  };
}

/** Removes one Service, reporting it; a missing one fails NOT_FOUND unless ignoreNotFound. */
function removeService(pods: PodManager, ignoreNotFound: boolean | undefined) {
  return async (ref: { name: string; namespace: string }): Promise<string | void> => {
    if (await pods.services.remove(ref)) return `${serviceRefText(ref)} deleted`;
    if (!ignoreNotFound) throw new PodctlError('NOT_FOUND', `${serviceRefText(ref)} not found`, { hint: 'use --ignore-not-found to skip services that are gone' });
  };
}

/** The stored kind a document names (Deployment, ConfigMap, ...), or undefined for Pods and others. */
function kindOfObject(value: unknown): string | undefined {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && (STORED_KINDS as readonly string[]).includes(kind) ? kind : undefined;
}

const POD_RESOURCES = ['pod', 'pods', 'po'];

/** Refuses a type delete does not know, before anything is deleted. */
function deletableResource(resource: string): void {
  const r = resource.toLowerCase();
  if (POD_RESOURCES.includes(r) || serviceKindOf(r) === 'Service' || objectKindOf(r)) return;
  throw invalidArgument(`resource type "${resource}" is not known`, `podctl deletes ${KNOWN_RESOURCES}`);
}

async function deleteNamed(cmd: Command, kindArg: string, all: string[]): Promise<void> {
  const resource = kindArg.toLowerCase();
  if (POD_RESOURCES.includes(resource)) {
    const flags = cmd.opts() as { namespace?: string; ignoreNotFound?: boolean; gracePeriod?: number };
    const pods = await openPods(cmd);
    return forEachReported(all.map((name) => ({ name, namespace: flags.namespace ?? DEFAULT_NAMESPACE })), describeRef, removePod(pods, flags.ignoreNotFound, flags.gracePeriod));
  }
  if (serviceKindOf(resource) === 'Service') {
    const flags = cmd.opts() as { namespace?: string; ignoreNotFound?: boolean };
    const pods = await openPods(cmd);
    return forEachReported(all.map((name) => ({ name, namespace: flags.namespace ?? DEFAULT_NAMESPACE })), serviceRefText, removeService(pods, flags.ignoreNotFound), 1);
  }
  const { deleteByName } = await import('./objects.js');
  await deleteByName(cmd, objectKindOf(resource)!, all);
}

const KNOWN_RESOURCES = 'pods, deployments, replicasets, daemonsets, statefulsets, jobs, services, endpoints, configmaps, secrets, persistentvolumeclaims, namespaces';

/** Delete needs only a Pod's identity, not a valid spec (as with kubectl). */
function refOf(value: unknown, namespace: string, source: string): PodRef[] {
  const doc = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
  if (doc?.kind !== 'Pod') {
    warn(`${source}: ${String(doc?.kind ?? 'document')} skipped: podctl deletes kind Pod only`);
    return [];
  }
  if (typeof doc.metadata?.name !== 'string') throw invalidArgument(`${source}: metadata.name: is required`, 'name the pod to delete');
  return [{ name: doc.metadata.name, namespace: typeof doc.metadata.namespace === 'string' ? doc.metadata.namespace : namespace }];
}

/** `get pods,deploy,cm`: each resource in turn, names prefixed by kind when there are several (as kubectl). */
export async function getAction(cmd: Command, args: string[]): Promise<void> {
  const groups = parseResourceArgs(args, 'get');
  if (groups.length === 0) throw invalidArgument('you must specify the type of resource to get', `e.g. podctl get pods, podctl get pod/NAME; types: ${KNOWN_RESOURCES}`);
  // Every type is checked before anything is printed.
  for (const g of groups) gettableResource(g.resource);
  const several = new Set(groups.map((g) => g.resource)).size > 1;
  let first = true;
  // Each resource's output as it comes; between resources a blank line under tables, a
  // document separator between YAML documents, nothing between `-o name` lines (as kubectl).
  const format = (cmd.opts() as { output?: string }).output;
  const separator = format === 'name' ? '' : format === 'yaml' ? '---\n' : '\n';
  const out = (text: string) => {
    write(several && !first ? `${separator}${text}` : text);
    first = false;
  };
  for (const { resource, names } of groups) {
    const r = resource.toLowerCase();
    if (POD_RESOURCES.includes(r)) {
      await getPods(cmd, names, several, out);
      continue;
    }
    if (serviceKindOf(r)) {
      if (several && !first) write(separator);
      first = false;
      await (await import('./services.js')).getResource(cmd, r, names);
      continue;
    }
    const { getObjects } = await import('./objects.js');
    out(await getObjects(cmd, objectKindOf(r)!, names, several));
  }
}

function gettableResource(resource: string): void {
  const r = resource.toLowerCase();
  if (POD_RESOURCES.includes(r) || serviceKindOf(r) || objectKindOf(r)) return;
  throw invalidArgument(`resource type "${resource}" is not known`, `podctl gets ${KNOWN_RESOURCES}`);
}

async function getPods(cmd: Command, names: string[], prefixNames: boolean, out: (text: string) => void): Promise<void> {
  const opts = cmd.opts() as { output?: string; namespace?: string; allNamespaces?: boolean; selector?: string; showLabels?: boolean };
  const format = parseOutputFormat(opts.output, ['table', 'wide', 'name', 'json', 'yaml']);
  const pods = await openPods(cmd);
  const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? DEFAULT_NAMESPACE);
  const selector = opts.selector ? parseSelector(opts.selector) : () => true;
  const listed = (await pods.list({ namespace, all: true })).filter((v) => selector(v.labels));
  const views = names.length === 0 ? listed : names.map((n) => listed.find((v) => v.name === n) ?? notFound({ name: n, namespace: namespace ?? DEFAULT_NAMESPACE }));
  if (format === 'name') return out(views.map((v) => `pod/${v.name}\n`).join(''));
  if (format === 'table' || format === 'wide') {
    const labels = (v: PodView) => Object.entries(v.labels).map(([k, val]) => `${k}=${val}`).join(',') || '<none>';
    const nsColumn = namespace === undefined && format !== 'wide'; // wide has its own NAMESPACE column
    await pods.countRestarts(views);
    const table = visibleColumns(podTable(views), format === 'wide');
    const headers = [...(nsColumn ? ['NAMESPACE'] : []), ...table.headers, ...(opts.showLabels ? ['LABELS'] : [])];
    const rows = views.map((v, i) => {
      const [name, ...rest] = table.rows[i]!;
      return [...(nsColumn ? [v.namespace] : []), prefixNames ? `pod/${name}` : name!, ...rest, ...(opts.showLabels ? [labels(v)] : [])];
    });
    return out(views.length === 0 ? `No resources found${namespace ? ` in ${namespace} namespace` : ''}.\n` : renderTable(headers, rows));
  }
  const { podManifests } = await import('../../kube/pod-manifests.js');
  const manifests = await podManifests(pods, views, await defaultNetwork(pods));
  const value: GeneratedPod | GeneratedPodList = names.length === 1 && manifests.length === 1 ? manifests[0]! : { apiVersion: 'v1', kind: 'List', items: manifests };
  out(format === 'json' ? JSON.stringify(value, null, 2) + '\n' : stringify(value));
}

export async function generateAction(cmd: Command, names: string[]): Promise<void> {
  const opts = cmd.opts() as { output?: string; namespace?: string };
  const format = parseOutputFormat(opts.output, ['yaml', 'json']);
  const pods = await openPods(cmd);
  const network = await defaultNetwork(pods);
  const deployments = deploymentNames(names);
  const manifests: Array<GeneratedPod | KubeObject> = [];
  if (deployments) {
    const { deploymentFromPod, deploymentFromRecord } = await import('../../kube/generate-deployment.js');
    const store = new ObjectStore(pods.stateDir);
    for (const name of deployments) {
      const record = await store.get('Deployment', opts.namespace ?? DEFAULT_NAMESPACE, name);
      const ref = parsePodRef(name, opts.namespace);
      const spec = record ? undefined : await pods.getSpec(ref);
      if (!record && !spec) throw new PodctlError('NOT_FOUND', `neither a deployment nor a pod ${formatPodRef(ref)} exists`, { hint: 'list them with podctl get deploy and podctl ps -a' });
      const generated = record ? deploymentFromRecord(record) : deploymentFromPod(manifestFromPod(spec!, { defaultNetwork: network }), ref.name);
      for (const note of generated.notes) process.stderr.write(`note: ${note}\n`);
      manifests.push(generated.manifest);
    }
  } else {
    for (const ref of names.map((n) => parsePodRef(n.replace(/^(pod|pods|po)\//, ''), opts.namespace))) {
      const spec = await pods.getSpec(ref);
      if (!spec) notFound(ref);
      manifests.push(manifestFromPod(spec, { defaultNetwork: network }));
    }
  }
  if (format === 'json') return write(JSON.stringify(manifests.length === 1 ? manifests[0] : { apiVersion: 'v1', kind: 'List', items: manifests }, null, 2) + '\n');
  write(manifests.map((m) => stringify(m)).join('---\n'));
}

/** `deployment a b`, `deploy/a deploy/b` → the Deployment names; undefined for pod names. */
export function deploymentNames(args: string[]): string[] | undefined {
  const isKind = (k: string) => ['deployment', 'deployments', 'deploy', 'deployment.apps'].includes(k.toLowerCase());
  if (args.length > 1 && isKind(args[0]!)) return args.slice(1);
  const slashed = args.filter((a) => a.includes('/') && isKind(a.slice(0, a.indexOf('/'))));
  if (slashed.length === 0) return undefined;
  if (slashed.length !== args.length) throw invalidArgument('kube generate takes pods or deployments, not both at once', 'run it once for the pods and once for the deployments');
  return slashed.map((a) => a.slice(a.indexOf('/') + 1));
}

function notFound(ref: PodRef): never {
  throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} not found`, { hint: 'list pods with podctl ps -a' });
}
