import type { Command } from 'commander';
import { stringify } from 'yaml';
import { DEFAULT_PAUSE_IMAGE } from '../../docker/pause-image.js';
import { applyPod, deletePod, describeRef } from '../../kube/apply.js';
import { manifestFromPod } from '../../kube/generate-pod.js';
import { loadPods } from '../../kube/load-pods.js';
import type { KubeList, KubePod } from '../../kube/manifest-types.js';
import { readManifests } from '../../kube/read-manifests.js';
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

export async function applyAction(cmd: Command): Promise<void> {
  const flags = cmd.opts() as ManifestFlags & { strict?: boolean; wait?: boolean; timeout?: number; session?: string };
  const wait = waitSpecFromFlags({ wait: flags.wait, timeout: flags.timeout });
  const docs = await readManifests(flags.filename);
  const pods = await openPods(cmd);
  const defaults = { namespace: DEFAULT_NAMESPACE, defaultNetwork: await defaultNetwork(pods), pauseImage: DEFAULT_PAUSE_IMAGE, session: flags.session };
  const loaded = loadPods(docs, defaults, { strict: flags.strict ?? false, namespaceFlag: flags.namespace });
  loaded.warnings.forEach(warn);
  await forEachReported(loaded.pods, (p) => describeRef(p.spec), async ({ spec }) => {
    const result = await applyPod(pods, spec, wait);
    return `${describeRef(result.ref)} ${result.outcome}`;
  });
}

export async function deleteAction(cmd: Command): Promise<void> {
  const flags = cmd.opts() as ManifestFlags & { gracePeriod?: number; ignoreNotFound?: boolean };
  const grace = flags.gracePeriod;
  const docs = await readManifests(flags.filename);
  const refs = docs.flatMap((doc) => refOf(doc.value, flags.namespace ?? DEFAULT_NAMESPACE, doc.source));
  const pods = await openPods(cmd);
  await forEachReported(refs, describeRef, async (ref) => {
    if (await deletePod(pods, ref, grace)) return `${describeRef(ref)} deleted`;
    if (!flags.ignoreNotFound) throw new PodctlError('NOT_FOUND', `${describeRef(ref)} not found`, { hint: 'use --ignore-not-found to skip pods that are gone' });
  });
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
  if (!['pod', 'pods', 'po'].includes(resource)) throw invalidArgument(`resource type "${resource}" is not known`, 'podctl has pods only: podctl get pods');
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

function notFound(ref: PodRef): never {
  throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} not found`, { hint: 'list pods with podctl ps -a' });
}
