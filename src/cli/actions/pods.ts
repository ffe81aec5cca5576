import type { Command } from 'commander';
import { DEFAULT_PAUSE_IMAGE } from '../../docker/pause-image.js';
import { parsePodRef, formatPodRef, type PodRef } from '../../pod/naming.js';
import type { PodManager } from '../../pod/manager.js';
import type { PodView } from '../../pod/status.js';
import { DEFAULT_NAMESPACE } from '../../pod/spec.js';
import type { WaitSpec } from '../../pod/wait.js';
import { invalidArgument, isPodctlError, messageOf, PodctlError } from '../../util/errors.js';
import type { GcAction } from '../../pod/gc.js';
import { openPods } from '../context.js';
import { age, parseOutputFormat, renderStructured, renderTable, write } from '../output.js';
import { specFromFlags, type SpecFlags } from '../pod-spec-from-flags.js';
import { forEachReported } from '../each.js';

interface WaitFlags {
  wait?: boolean;
  waitHttp?: string;
  waitTcp?: number;
  timeout?: number;
}

export function waitSpecFromFlags(flags: WaitFlags): WaitSpec | undefined {
  if (!flags.wait && !flags.waitHttp && !flags.waitTcp) return undefined;
  const timeoutMs = (flags.timeout ?? 60) * 1000;
  if (flags.waitHttp) {
    const m = /^:?(\d{1,5})(\/.*)?$/.exec(flags.waitHttp);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw invalidArgument(`--wait-http "${flags.waitHttp}" is not :PORT/PATH`, 'e.g. --wait-http :80/healthz');
    return { http: { port: Number(m[1]), path: m[2] ?? '/' }, timeoutMs };
  }
  if (flags.waitTcp !== undefined) return { tcp: flags.waitTcp, timeoutMs };
  return { timeoutMs };
}

const refs = (cmd: Command, pods: string[]): PodRef[] => {
  const ns = (cmd.opts() as { namespace?: string }).namespace;
  return pods.map((p) => parsePodRef(p, ns));
};

export function podRow(v: PodView, wide: boolean): string[] {
  const row = [v.name, v.id.slice(0, 12), v.state, v.ips[0] ?? '', `${v.ready}/${v.total}`, v.networks.map((n) => n.name).join(','), age(v.created)];
  if (wide) row.push(v.namespace, v.netns, v.containers.map((c) => `${c.name}=${c.image}`).join(','));
  return row;
}

export const POD_HEADERS = ['NAME', 'ID', 'STATE', 'IP', 'CONTAINERS', 'NETWORKS', 'AGE'];
const WIDE_HEADERS = [...POD_HEADERS, 'NAMESPACE', 'NETNS', 'IMAGES'];

async function printPods(views: PodView[], format: string, quiet: boolean): Promise<void> {
  if (quiet || format === 'name') return write(views.map((v) => formatPodRef(v) + '\n').join(''));
  if (format === 'json' || format === 'yaml') return write(await renderStructured(views.length === 1 ? views[0] : views, format));
  write(renderTable(format === 'wide' ? WIDE_HEADERS : POD_HEADERS, views.map((v) => podRow(v, format === 'wide'))));
}

export async function runAction(cmd: Command, command: string[], start: boolean): Promise<void> {
  const flags = cmd.opts() as SpecFlags & WaitFlags & { output?: string; quiet?: boolean };
  const format = parseOutputFormat(flags.output, ['table', 'name', 'json', 'yaml']);
  const wait = start ? waitSpecFromFlags(flags) : undefined;
  const pods = await openPods(cmd);
  const network = flags.network && flags.network.length > 0 ? '' : await pods.defaultNetwork();
  const spec = specFromFlags(flags, command, { network, pauseImage: DEFAULT_PAUSE_IMAGE });
  const view = start ? await pods.run(spec, wait) : await pods.create(spec);
  await printPods([format === 'json' || format === 'yaml' ? await pods.inspect(spec) : view], format, flags.quiet ?? false);
}

const eachPod = (pods: PodRef[], fn: (ref: PodRef) => Promise<string | void>) => forEachReported(pods, formatPodRef, fn);

export async function startAction(cmd: Command, names: string[]): Promise<void> {
  const wait = waitSpecFromFlags(cmd.opts() as WaitFlags);
  const pods = await openPods(cmd);
  await eachPod(refs(cmd, names), async (ref) => {
    await pods.start(ref, wait);
    return formatPodRef(ref);
  });
}

const stopTimeout = (cmd: Command): number | undefined => (cmd.opts() as { time?: number }).time;

export async function stopAction(cmd: Command, names: string[]): Promise<void> {
  const timeout = stopTimeout(cmd);
  const pods = await openPods(cmd);
  await eachPod(refs(cmd, names), async (ref) => {
    await pods.stop(ref, timeout);
    return formatPodRef(ref);
  });
}

export async function restartAction(cmd: Command, names: string[]): Promise<void> {
  const timeout = stopTimeout(cmd);
  const wait = waitSpecFromFlags(cmd.opts() as WaitFlags);
  const pods = await openPods(cmd);
  await eachPod(refs(cmd, names), async (ref) => {
    await pods.restart(ref, timeout, wait);
    return formatPodRef(ref);
  });
}

export async function rmAction(cmd: Command, names: string[]): Promise<void> {
  const opts = cmd.opts() as { force?: boolean; all?: boolean; namespace?: string };
  if (!opts.all && names.length === 0) throw invalidArgument('no pod named', 'give pod names, or -a for all pods');
  if (opts.all && names.length > 0) throw invalidArgument('-a and pod names do not go together', 'give either pod names or -a');
  const pods = await openPods(cmd);
  const targets = opts.all ? (await pods.list({ all: true })).map((v) => ({ name: v.name, namespace: v.namespace })) : refs(cmd, names);
  await eachPod(targets, async (ref) => {
    const removed = await pods.remove(ref, opts.force ?? false).catch((err: unknown) => {
      // The pod layer says what to do in its own words; here it can name the commands.
      if (isPodctlError(err, 'FAILED_PRECONDITION')) throw new PodctlError(err.code, err.message, { hint: `stop it first (podctl stop ${formatPodRef(ref)}) or use podctl rm -f`, cause: err });
      throw err;
    });
    if (removed) return formatPodRef(ref);
    if (!opts.force) throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} not found`, { hint: 'list pods with podctl ps -a (rm -f ignores missing pods)' });
  });
}

function parseFilters(filters: string[]): { labels: Record<string, string>; name?: string; state?: string } {
  const out: { labels: Record<string, string>; name?: string; state?: string } = { labels: {} };
  for (const f of filters) {
    const [kind, ...rest] = f.split('=');
    const value = rest.join('=');
    if (kind === 'label' && rest.length >= 2) out.labels[rest[0]!] = rest.slice(1).join('=');
    else if (kind === 'label' && rest.length === 1) out.labels[value] = '';
    else if (kind === 'name' && value) out.name = value;
    else if (kind === 'state' && value) out.state = value;
    else throw invalidArgument(`--filter "${f}" is not understood`, 'use label=KEY=VALUE, name=NAME or state=STATE');
  }
  return out;
}

export async function psAction(cmd: Command): Promise<void> {
  const opts = cmd.opts() as { all?: boolean; quiet?: boolean; output?: string; filter?: string[]; namespace?: string; allNamespaces?: boolean };
  const format = parseOutputFormat(opts.output, ['table', 'wide', 'json', 'yaml']);
  const filter = parseFilters(opts.filter ?? []);
  const pods = await openPods(cmd);
  const views = await pods.list({ ...filter, all: opts.all ?? false, namespace: opts.allNamespaces ? undefined : (opts.namespace ?? DEFAULT_NAMESPACE) });
  if (format === 'json' || format === 'yaml') return write(await renderStructured(views, format));
  await printPods(views, format, opts.quiet ?? false);
}

export async function inspectAction(cmd: Command, name: string): Promise<void> {
  const format = parseOutputFormat((cmd.opts() as { output?: string }).output, ['json', 'yaml']) as 'json' | 'yaml';
  const pods = await openPods(cmd);
  write(await renderStructured(await pods.inspect(refs(cmd, [name])[0]!), format));
}

/** A pod name, `pod/NAME`, or a workload (`deploy/web`, `job/check`): its newest pod, as kubectl picks one. */
export async function targetPod(cmd: Command, pods: PodManager, target: string): Promise<PodRef> {
  const { podsOfTarget } = await import('./objects.js');
  const found = await podsOfTarget(cmd, pods, target);
  if (!found) return refs(cmd, [target.replace(/^(pod|pods|po)\//, '')])[0]!;
  if (found.length > 1) process.stderr.write(`Found ${found.length} pods, using pod/${found[0]!.name}\n`);
  return found[0]!;
}

export async function logsAction(cmd: Command, name: string): Promise<void> {
  const opts = cmd.opts() as { container?: string; follow?: boolean; tail?: number; timestamps?: boolean; prefix?: boolean; allPods?: boolean };
  const tail = opts.tail;
  const pods = await openPods(cmd);
  const options = { all: true, follow: opts.follow ?? false, timestamps: opts.timestamps ?? false, podPrefix: (opts.prefix ?? false) || (opts.allPods ?? false), ...(opts.container !== undefined ? { container: opts.container } : {}), ...(tail !== undefined ? { tail } : {}) };
  const sink = { stdout: process.stdout, stderr: process.stderr };
  if (!opts.allPods) return pods.logs(await targetPod(cmd, pods, name), sink, options);
  const { podsOfTarget } = await import('./objects.js');
  const all = await podsOfTarget(cmd, pods, name);
  if (!all) throw invalidArgument('--all-pods needs a workload', 'give deploy/NAME, job/NAME, rs/NAME or ds/NAME');
  // Oldest first, each pod's lines together; followed pods run side by side.
  const ordered = [...all].reverse();
  if (options.follow) await Promise.all(ordered.map((ref) => pods.logs(ref, sink, options)));
  else for (const ref of ordered) await pods.logs(ref, sink, options);
}

export async function execAction(cmd: Command, name: string, command: string[]): Promise<void> {
  const opts = cmd.opts() as { container?: string; interactive?: boolean; tty?: boolean };
  const pods = await openPods(cmd);
  const tty = opts.tty ?? false;
  const stdin = process.stdin;
  // The terminal is the CLI's: raw mode while a TTY session runs, restored however it ends.
  const raw = opts.interactive && tty && stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  try {
    process.exitCode = await pods.exec(await targetPod(cmd, pods, name), command, { stdout: process.stdout, stderr: process.stderr }, {
      tty,
      ...(opts.container !== undefined ? { container: opts.container } : {}),
      ...(opts.interactive ? { stdin } : {}),
    });
  } finally {
    if (raw) stdin.setRawMode(false);
    if (opts.interactive) stdin.pause();
  }
}

export async function gcAction(cmd: Command): Promise<void> {
  const opts = cmd.opts() as { dryRun?: boolean; session?: string; output?: string };
  const format = parseOutputFormat(opts.output, ['table', 'json']);
  const pods = await openPods(cmd);
  const found = await pods.gc({ dryRun: opts.dryRun ?? false, ...(opts.session ? { session: opts.session } : {}) });
  // The object store is the CLI's, not the pod layer's: its killed writes are swept here.
  const [{ ObjectStore }, { rm }] = await Promise.all([import('../../kube/objects/store.js'), import('node:fs/promises')]);
  for (const file of await new ObjectStore(pods.stateDir).strayWrites()) {
    const action: GcAction = { kind: 'stray-file', target: file, action: 'remove', reason: 'a write its podctl was killed in' };
    found.push(action);
    if (!opts.dryRun) await rm(file, { force: true }).catch((err: unknown) => (action.error = messageOf(err)));
  }
  if (format === 'json') return write(await renderStructured({ dryRun: opts.dryRun ?? false, actions: found }, 'json'));
  if (found.length === 0) return write('nothing to collect\n');
  write(renderTable(['KIND', 'TARGET', 'ACTION', 'REASON', 'RESULT'], found.map((a) => [a.kind, a.target, opts.dryRun ? `would ${a.action}` : a.action, a.reason, a.error ? `failed: ${a.error}` : opts.dryRun ? '' : 'done'])));
  if (found.some((a) => a.error)) process.exitCode = 1;
}
