import type { Command } from 'commander';
import { stringify } from 'yaml';
import { DEFAULT_PAUSE_IMAGE } from '../../docker/pause-image.js';
import { applyPod, deletePod, describeRef } from '../../kube/apply.js';
import { manifestFromPod } from '../../kube/generate-pod.js';
import { loadPods } from '../../kube/load-pods.js';
import type { KubeList, KubePod } from '../../kube/manifest-types.js';
import { readManifests, type ManifestDocument } from '../../kube/read-manifests.js';
import { applyServices, loadServices, serviceRefOf, serviceRefText } from './service-kind.js';
import type { PodManager } from '../../pod/manager.js';
import { formatPodRef, parsePodRef, type PodRef } from '../../pod/naming.js';
import { DEFAULT_NAMESPACE } from '../../pod/spec.js';
import { PodctlError, invalidArgument, messageOf } from '../../util/errors.js';
import { openPods } from '../context.js';
import { age, parseOutputFormat, renderTable, write } from '../output.js';
import { waitSpecFromFlags } from './pods.js';
import { forEachReported } from '../each.js';

interface ManifestFlags {
  filename: string[];
  namespace?: string;
}

const warn = (line: string) => process.stderr.write(`podctl: warning: ${line}\n`);

async function defaultNetwork(pods: PodManager): Promise<string> {
  return pods.defaultNetwork();
}

/**
 * Kinds with their own module, split off before the Pod path sees the documents. Services go
 * first, so the pods of the same apply start with their env and DNS names.
 */
const kindOf = (d: ManifestDocument) => String((d.value as { kind?: unknown } | null)?.kind ?? '');
const KINDS = {
  Service: (docs: ManifestDocument[]) => docs.filter((d) => kindOf(d) === 'Service'),
} as const;

const withoutKinds = (docs: ManifestDocument[]) => docs.filter((d) => !Object.hasOwn(KINDS, kindOf(d)));

export async function applyAction(cmd: Command): Promise<void> {
  const flags = cmd.opts() as ManifestFlags & { strict?: boolean; wait?: boolean; timeout?: number; session?: string };
  const wait = waitSpecFromFlags({ wait: flags.wait, timeout: flags.timeout });
  const docs = await readManifests(flags.filename);
  const serviceDocs = KINDS.Service(docs);
  const podDocs = withoutKinds(docs);
  // Every document is checked before anything changes.
  const services = loadServices(serviceDocs, DEFAULT_NAMESPACE, { strict: flags.strict ?? false, namespaceFlag: flags.namespace });
  const pods = await openPods(cmd);
  const defaults = { namespace: DEFAULT_NAMESPACE, defaultNetwork: await defaultNetwork(pods), pauseImage: DEFAULT_PAUSE_IMAGE, session: flags.session };
  const loaded = podDocs.length > 0 || serviceDocs.length === 0 ? loadPods(podDocs, defaults, { strict: flags.strict ?? false, namespaceFlag: flags.namespace }) : { pods: [], warnings: [] };
  [...services.warnings, ...loaded.warnings].forEach(warn);
  if (services.specs.length > 0) write((await applyServices(pods, services, warn)).map((l) => `${l}\n`).join(''));
  await forEachReported(loaded.pods, (p) => describeRef(p.spec), async ({ spec }) => {
    const result = await applyPod(pods, spec, wait);
    return `${describeRef(result.ref)} ${result.outcome}`;
  });
}

export async function deleteAction(cmd: Command): Promise<void> {
  const flags = cmd.opts() as ManifestFlags & { gracePeriod?: number; ignoreNotFound?: boolean };
  const grace = flags.gracePeriod;
  const docs = await readManifests(flags.filename);
  const namespace = flags.namespace ?? DEFAULT_NAMESPACE;
  const serviceRefs = KINDS.Service(docs).map((d) => serviceRefOf(d, namespace));
  const refs = withoutKinds(docs).flatMap((doc) => refOf(doc.value, namespace, doc.source));
  const pods = await openPods(cmd);
  // Pods first, so their endpoints leave before the service they belong to goes.
  if (refs.length > 0 || serviceRefs.length === 0) await forEachReported(refs, describeRef, async (ref) => {
    if (await deletePod(pods, ref, grace)) return `${describeRef(ref)} deleted`;
    if (!flags.ignoreNotFound) throw new PodctlError('NOT_FOUND', `${describeRef(ref)} not found`, { hint: 'use --ignore-not-found to skip pods that are gone' });
  });
  await forEachReported(serviceRefs, serviceRefText, async (ref) => {
    if (await pods.services.remove(ref)) return `${serviceRefText(ref)} deleted`;
    if (!flags.ignoreNotFound) throw new PodctlError('NOT_FOUND', `${serviceRefText(ref)} not found`, { hint: 'use --ignore-not-found to skip services that are gone' });
  }, 1);
}

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

export async function getAction(cmd: Command, resource: string, names: string[]): Promise<void> {
  const other = GET_KINDS[resource];
  if (other) return (await other()).getResource(cmd, resource, names);
  if (!['pod', 'pods', 'po'].includes(resource)) throw invalidArgument(`resource type "${resource}" is not known`, `podctl gets pods, ${Object.keys(GET_KINDS).join(', ')}`);
  const opts = cmd.opts() as { output?: string; namespace?: string; allNamespaces?: boolean };
  const format = parseOutputFormat(opts.output, ['table', 'wide', 'name', 'json', 'yaml']);
  const pods = await openPods(cmd);
  const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? DEFAULT_NAMESPACE);
  const listed = await pods.list({ namespace, all: true });
  const views = names.length === 0 ? listed : names.map((n) => listed.find((v) => v.name === n) ?? notFound({ name: n, namespace: namespace ?? DEFAULT_NAMESPACE }));
  if (format === 'name') return write(views.map((v) => `pod/${v.name}\n`).join(''));
  if (format === 'table' || format === 'wide') {
    const headers = ['NAME', 'READY', 'STATUS', 'IP', 'AGE', ...(format === 'wide' ? ['NAMESPACE', 'NETWORKS'] : [])];
    const rows = views.map((v) => [v.name, `${v.ready}/${v.total}`, v.state, v.ips[0] ?? '', age(v.created), ...(format === 'wide' ? [v.namespace, v.networks.map((n) => n.name).join(',')] : [])]);
    return write(renderTable(headers, rows));
  }
  const network = await defaultNetwork(pods);
  const manifests: KubePod[] = [];
  for (const view of views) {
    const spec = await pods.getSpec(view);
    if (!spec) throw new PodctlError('FAILED_PRECONDITION', `pod ${formatPodRef(view)} has no checkpoint to describe`, { hint: `remove it with podctl rm -f ${formatPodRef(view)}` });
    manifests.push(manifestFromPod(spec, { defaultNetwork: network, view: await pods.inspect(view) }));
  }
  const value: KubePod | KubeList = names.length === 1 && manifests.length === 1 ? manifests[0]! : { apiVersion: 'v1', kind: 'List', items: manifests };
  write(format === 'json' ? JSON.stringify(value, null, 2) + '\n' : stringify(value));
}

export async function generateAction(cmd: Command, names: string[]): Promise<void> {
  const opts = cmd.opts() as { output?: string; namespace?: string };
  const format = parseOutputFormat(opts.output, ['yaml', 'json']);
  const pods = await openPods(cmd);
  const network = await defaultNetwork(pods);
  const manifests: KubePod[] = [];
  for (const ref of names.map((n) => parsePodRef(n, opts.namespace))) {
    const spec = await pods.getSpec(ref);
    if (!spec) notFound(ref);
    manifests.push(manifestFromPod(spec, { defaultNetwork: network }));
  }
  if (format === 'json') return write(JSON.stringify(manifests.length === 1 ? manifests[0] : { apiVersion: 'v1', kind: 'List', items: manifests }, null, 2) + '\n');
  write(manifests.map((m) => stringify(m)).join('---\n'));
}

/** `get` resources with their own module (loaded only when asked for). */
const GET_KINDS: Record<string, () => Promise<{ getResource(cmd: Command, resource: string, names: string[]): Promise<void> }>> = {
  svc: () => import('./services.js'),
  service: () => import('./services.js'),
  services: () => import('./services.js'),
  ep: () => import('./services.js'),
  endpoints: () => import('./services.js'),
};

function notFound(ref: PodRef): never {
  throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} not found`, { hint: 'list pods with podctl ps -a' });
}
