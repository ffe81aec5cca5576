import type { Command } from 'commander';
import { stringify } from 'yaml';
import { objectRef } from '../../kube/object-ref.js';
import { EventLog, containerEvents, formatEvents } from '../../kube/events.js';
import { deleteObject } from '../../kube/kinds/delete-object.js';
import type { PropagationPolicy } from '../../kube/controllers/owners.js';
import { waitForJob } from '../../kube/kinds/job-wait.js';
import { jobCondition, type JobStatus } from '../../kube/kinds/job-status.js';
import { recordLivenessRestart } from '../../kube/kinds/liveness-events.js';
import { podsOfWorkloadNewestFirst } from '../../kube/kinds/owners.js';
import { listObjects, podsOfWorkload, requireObject } from '../../kube/kinds/read-objects.js';
import { restartRollout, scaleWorkload } from '../../kube/kinds/replica-changes.js';
import { openWorkloadContext } from '../../kube/kinds/workload-context.js';
import { hashOf, workloadOf, WORKLOAD_KINDS, type WorkloadContext } from '../../kube/kinds/workloads.js';
import type { ReplicaGoal } from '../../kube/controllers/replica-status.js';
import { STORED_KINDS, type KubeObject } from '../../kube/objects/store.js';
import { jsonPathValue, parseJsonPath } from '../../kube/jsonpath.js';
import type { PodManager } from '../../pod/manager.js';
import type { PodRef } from '../../pod/naming.js';
import { DEFAULT_NAMESPACE } from '../../pod/spec.js';
import type { PodView } from '../../pod/status.js';
import { PodctlError, invalidArgument } from '../../util/errors.js';
import { parsePositiveInt } from '../../util/validate.js';
import { openPods } from '../context.js';
import { namedObjects } from '../resource-args.js';
import { kindOf } from '../resource-names.js';
import { objectTable, visibleColumns } from '../../kube/tables.js';
import { parseOutputFormat, renderTable, write } from '../output.js';

/**
 * kubectl's everyday verbs over the kinds podctl keeps as records (Deployments, ReplicaSets,
 * DaemonSets, Jobs, ConfigMaps, Secrets, claims, Namespaces): get, describe, delete, scale,
 * rollout, wait, and the workload forms of logs and exec (`deploy/web`, `job/check`).
 */
export { kindOf } from '../resource-names.js';

interface Ctx extends WorkloadContext {
  namespace: string | undefined;
}

async function context(cmd: Command): Promise<Ctx> {
  const opts = cmd.opts() as { namespace?: string; allNamespaces?: boolean };
  const ctx = await openWorkloadContext(await openPods(cmd), opts.namespace ?? DEFAULT_NAMESPACE, (line) => process.stdout.write(`${line}\n`));
  return { ...ctx, namespace: opts.allNamespaces ? undefined : (opts.namespace ?? DEFAULT_NAMESPACE) };
}

/** The namespace a command on one named object means (-A lists every namespace, but names one object in the default). */
const nsOf = (ctx: Ctx) => ctx.namespace ?? DEFAULT_NAMESPACE;

const count = (o: KubeObject, key: string) => Number(((o.status ?? {}) as Record<string, unknown>)[key] ?? 0);

export async function getObjects(cmd: Command, kind: string, names: string[], prefixNames: boolean): Promise<string> {
  const opts = cmd.opts() as { output?: string; selector?: string; showLabels?: boolean };
  const format = parseOutputFormat(opts.output, ['table', 'wide', 'name', 'json', 'yaml']);
  const ctx = await context(cmd);
  const list = await listObjects(ctx, kind, ctx.namespace, names, opts.selector);
  if (format === 'name') return list.map((o) => `${objectRef(o.kind, o.metadata.name)}\n`).join('');
  if (format === 'json' || format === 'yaml') {
    const value = names.length === 1 && list.length === 1 ? list[0] : { apiVersion: 'v1', kind: 'List', items: list };
    return format === 'json' ? JSON.stringify(value, null, 2) + '\n' : stringify(value);
  }
  if (list.length === 0) return `No ${kind} resources found${ctx.namespace ? ` in ${ctx.namespace} namespace` : ''}.\n`;
  const table = visibleColumns(objectTable(kind, list), format === 'wide');
  const headers = [...(ctx.namespace === undefined ? ['NAMESPACE'] : []), ...table.headers, ...(opts.showLabels ? ['LABELS'] : [])];
  const rows = list.map((o, i) => {
    const r = table.rows[i]!;
    if (prefixNames) r[0] = objectRef(o.kind, r[0]!);
    const labels = Object.entries(o.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
    return [...(ctx.namespace === undefined ? [o.metadata.namespace ?? ''] : []), ...r, ...(opts.showLabels ? [labels] : [])];
  });
  return renderTable(headers, rows);
}

export async function describeAction(cmd: Command, resource: string, name: string): Promise<void> {
  const kind = kindOf(resource);
  if (!kind) throw invalidArgument(`resource type "${resource}" is not known`, 'describe deployment, replicaset, daemonset, statefulset, job, configmap, secret, pvc or namespace (podctl inspect POD for pods)');
  return describeObject(cmd, kind, name);
}

/** `describe KIND NAME`: the record's fields that matter, its pods and their states. */
export async function describeObject(cmd: Command, kind: string, name: string): Promise<void> {
  const ctx = await context(cmd);
  const [o] = await listObjects(ctx, kind, ctx.namespace, [name]);
  const lines = [`Name:         ${o!.metadata.name}`, ...(o!.metadata.namespace ? [`Namespace:    ${o!.metadata.namespace}`] : []), `Labels:       ${Object.entries(o!.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'}`, `Created:      ${o!.metadata.creationTimestamp ?? ''}`];
  const spec = (o!.spec ?? {}) as Record<string, unknown>;
  if (kind === 'ConfigMap' || kind === 'Secret') {
    lines.push('Data:');
    for (const [k, v] of Object.entries((o!.data ?? {}) as Record<string, string>)) lines.push(kind === 'Secret' ? `  ${k}: ${Buffer.from(v, 'base64').length} bytes` : `  ${k}: ${v.length > 60 ? `${v.slice(0, 60)}...` : v}`);
  }
  if (WORKLOAD_KINDS.includes(kind)) {
    const w = workloadOf(o!, ctx.defaults);
    if (kind === 'DaemonSet') lines.push(`Selector:     ${JSON.stringify((spec.selector as object) ?? {})}`, `Desired Number of Nodes Scheduled: ${count(o!, 'desiredNumberScheduled')}`, `Current Number of Nodes Scheduled: ${count(o!, 'currentNumberScheduled')}`, `Number of Nodes Scheduled with Up-to-date Pods: ${count(o!, 'updatedNumberScheduled')}`, `Number of Nodes Scheduled with Available Pods: ${count(o!, 'numberAvailable')}`);
    else if (kind !== 'Job') lines.push(`Selector:     ${JSON.stringify((spec.selector as object) ?? {})}`, `Replicas:     ${spec.replicas ?? 1} desired | ${count(o!, 'updatedReplicas')} updated | ${count(o!, 'replicas')} total | ${count(o!, 'availableReplicas')} available | ${count(o!, 'unavailableReplicas')} unavailable`);
    const conditions = ((o!.status ?? {}) as { conditions?: Array<{ type?: string; status?: string; reason?: string }> }).conditions ?? [];
    if (conditions.length > 0) lines.push('Conditions:', '  Type           Status  Reason', '  ----           ------  ------', ...conditions.map((c) => `  ${(c.type ?? '').padEnd(14)} ${(c.status ?? '').padEnd(7)} ${c.reason ?? ''}`));
    if (kind === 'Deployment') lines.push(`Strategy:     ${JSON.stringify(spec.strategy ?? { type: 'RollingUpdate' })}`, `Template hash: ${hashOf(w)}`);
    if (kind === 'StatefulSet') lines.push(`Service name: ${String(spec.serviceName ?? '<none>')}`, `Pod management: OrderedReady`);
    if (kind === 'Job') {
      const st = (o!.status ?? {}) as Partial<JobStatus>;
      const c = jobCondition(st);
      lines.push(`Completions:  ${spec.completions ?? 1}`, `Parallelism:  ${spec.parallelism ?? 1}`, `Backoff limit: ${spec.backoffLimit ?? 6}`, `Pods status:  ${st.active ?? 0} active / ${st.succeeded ?? 0} succeeded / ${st.failed ?? 0} failed`, `Condition:    ${c ? `${c.type}${'reason' in c ? ` (${c.reason})` : ''}` : '<none>'}`);
    }
    const pods = await podsOfWorkload(ctx, w);
    lines.push('Pods:');
    for (const v of pods) lines.push(`  ${v.name}  ${v.state}  ${v.ips[0] ?? ''}  ${v.containers.filter((c) => c.role === 'app').map((c) => `${c.name}: ${c.status}`).join(', ')}`);
    if (pods.length === 0) lines.push('  <none>');
    const recorded = await new EventLog(ctx.store.stateDir).read(kind, w.namespace, w.name);
    lines.push(...formatEvents([...recorded, ...pods.flatMap(containerEvents)]));
  }
  write(lines.join('\n') + '\n');
}

export async function deleteByName(cmd: Command, kind: string, names: string[]): Promise<void> {
  // --grace-period and --cascade are checked (and -1 made undefined) while the command line is parsed.
  const opts = cmd.opts() as { force?: boolean; ignoreNotFound?: boolean; gracePeriod?: number; cascade?: PropagationPolicy };
  const ctx = await context(cmd);
  for (const name of names) {
    if (await deleteObject(ctx, kind, nsOf(ctx), name, opts.force ?? false, { propagationPolicy: opts.cascade, gracePeriodSeconds: opts.gracePeriod })) write(`${objectRef(kind, name)} deleted\n`);
    else if (!opts.ignoreNotFound) throw new PodctlError('NOT_FOUND', `${objectRef(kind, name)} not found`, { hint: 'use --ignore-not-found to skip what is gone' });
  }
}

function replicaKind(resource: string): string {
  const kind = kindOf(resource);
  if (kind !== 'Deployment' && kind !== 'ReplicaSet' && kind !== 'StatefulSet') throw invalidArgument(`cannot scale or roll out "${resource}"`, 'give deployment NAME or statefulset NAME (or replicaset NAME for scale)');
  return kind;
}

/** `scale --replicas N TYPE NAME...` or `TYPE/NAME...`, each in turn. */
export async function scaleAction(cmd: Command, args: string[]): Promise<void> {
  const targets = namedObjects(args, 'scale').map(({ resource, name }) => ({ kind: replicaKind(resource), name }));
  const opts = cmd.opts() as { replicas: string; wait?: boolean; timeout?: number };
  const replicas = parsePositiveInt(opts.replicas, '--replicas', { min: 0, max: 1000 });
  const ctx = await context(cmd);
  for (const { kind, name } of targets) await scaleOne(ctx, kind, name, replicas, opts);
}

async function scaleOne(ctx: Ctx, kind: string, n: string, replicas: number, opts: { wait?: boolean; timeout?: number }): Promise<void> {
  const next = await scaleWorkload(ctx, kind, nsOf(ctx), n, replicas, { waitsAfter: opts.wait });
  write(`${objectRef(kind, n)} scaled\n`);
  if (opts.wait) await waitAndSay(ctx, kind, n, 'rolled-out', deadlineOf(opts.timeout, 60), next.metadata.generation);
}

const deadlineOf = (seconds: number | undefined, fallback: number) => Date.now() + (seconds ?? fallback) * 1000;

/**
 * Waits for a replica workload's goal (see workload-wait.ts) and prints the outcome: reached,
 * or superseded by another command's change (exit 0: what this command asked for is no longer
 * wanted); a timeout fails naming what is missing.
 */
async function waitAndSay(ctx: Ctx, kind: string, name: string, goal: ReplicaGoal, deadline: number, generation?: number): Promise<void> {
  const { waitForReplicas } = await import('../../kube/kinds/workload-wait.js');
  const result = await waitForReplicas(ctx, { kind, namespace: nsOf(ctx), name, goal, deadline, generation });
  if (!result.reached) return write(`${objectRef(kind, name)} changed by another command since (generation ${result.supersededBy}): not waiting for it\n`);
  if (goal === 'rolled-out') return write(`${kind.toLowerCase()} "${name}" successfully rolled out\n`);
  write(`${objectRef(kind, name)} condition met\n`);
}

/** `rollout restart|status TYPE NAME...` or `TYPE/NAME...`, each in turn. */
export async function rolloutAction(cmd: Command, verb: string, args: string[]): Promise<void> {
  if (verb !== 'restart' && verb !== 'status') throw invalidArgument(`rollout ${verb} is not known`, 'use rollout restart or rollout status');
  const targets = namedObjects(args, `rollout ${verb}`).map(({ resource, name }) => ({ kind: replicaKind(resource), name }));
  const opts = cmd.opts() as { timeout?: number };
  const ctx = await context(cmd);
  for (const { kind, name } of targets) await rolloutOne(ctx, verb, kind, name, opts.timeout);
}

async function rolloutOne(ctx: Ctx, verb: 'restart' | 'status', kind: string, n: string, timeout: number | undefined): Promise<void> {
  if (verb === 'restart') {
    await restartRollout(ctx, kind, nsOf(ctx), n);
    return write(`${objectRef(kind, n)} restarted\n`);
  }
  await requireObject(ctx.store, kind, nsOf(ctx), n);
  await waitAndSay(ctx, kind, n, 'rolled-out', deadlineOf(timeout, 60));
}

/**
 * `wait --for=condition=complete job/NAME`, `--for=condition=available deploy/NAME` (the
 * controller's own waits, on the pods), `--for=condition=Progressing[=False]` (any condition
 * the status records), `--for=jsonpath='{.status.readyReplicas}'=3` and `--for=delete`.
 */
export async function waitAction(cmd: Command, args: string[]): Promise<void> {
  const opts = cmd.opts() as { for: string; timeout?: string };
  const wanted = parseWaitFor(opts.for);
  const targets = namedObjects(args, 'wait').map(({ resource, name }) => {
    const kind = kindOf(resource);
    if (!kind) throw invalidArgument(`resource type "${resource}" is not known`, 'wait for job/NAME or deployment/NAME');
    if (wanted.kind === 'delete' || wanted.kind === 'jsonpath') {
      if (!(STORED_KINDS as readonly string[]).includes(kind)) throw invalidArgument(`podctl cannot wait for ${resource}/${name} that way`, 'wait for a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ConfigMap, Secret, PersistentVolumeClaim or Namespace');
      return { kind, name };
    }
    if (!WORKLOAD_KINDS.includes(kind)) throw invalidArgument(`${objectRef(kind, name)} has no conditions to wait for`, 'wait for job/NAME or deployment/NAME');
    if (wanted.kind === 'goal') {
      const replicaWait = wanted.want === 'available' || wanted.want === 'ready';
      if (replicaWait === (kind === 'Job')) throw invalidArgument(`--for=condition=${wanted.want} does not apply to ${resource}/${name}`, kind === 'Job' ? 'wait for a Job with --for=condition=complete (or failed)' : `wait for a ${kind} with --for=condition=available (or ready)`);
    }
    return { kind, name };
  });
  const timeoutMs = (opts.timeout ? parseDuration(opts.timeout) : 30) * 1000;
  const ctx = await context(cmd);
  // One deadline for all, as kubectl's --timeout.
  const deadline = Date.now() + timeoutMs;
  for (const { kind, name } of targets) await waitOne(ctx, kind, name, wanted, deadline);
}

type WaitFor = { kind: 'goal'; want: string } | { kind: 'condition'; type: string; status: string } | { kind: 'jsonpath'; path: string; value?: string } | { kind: 'delete' };

/** `--for` as kubectl writes it; bad input is one line naming the forms. */
function parseWaitFor(text: string): WaitFor {
  if (text === 'delete') return { kind: 'delete' };
  const goal = /^condition=(complete|failed|available|ready)$/i.exec(text);
  if (goal) return { kind: 'goal', want: goal[1]!.toLowerCase() };
  const condition = /^condition=([A-Za-z]+)(?:=(True|False|Unknown))?$/i.exec(text);
  if (condition) return { kind: 'condition', type: condition[1]!, status: condition[2] ?? 'True' };
  const path = /^jsonpath=(\{[^}]*\}|[^=]+)(?:=(.*))?$/.exec(text);
  if (path) {
    try {
      parseJsonPath(path[1]!);
    } catch (err) {
      throw invalidArgument(`--for=${text}: ${(err as Error).message}`, "e.g. --for=jsonpath='{.status.readyReplicas}'=3");
    }
    return { kind: 'jsonpath', path: path[1]!, ...(path[2] !== undefined ? { value: path[2] } : {}) };
  }
  throw invalidArgument(`--for=${text} is not a condition podctl waits for`, "use --for=condition=available|ready|progressing|complete|failed, --for=jsonpath='{.status.readyReplicas}'=3 or --for=delete");
}

async function waitOne(ctx: Ctx, kind: string, name: string, wanted: WaitFor, deadline: number): Promise<void> {
  if (wanted.kind === 'goal' && kind !== 'Job') {
    await requireObject(ctx.store, kind, nsOf(ctx), name);
    return waitAndSay(ctx, kind, name, wanted.want as ReplicaGoal, deadline);
  }
  if (wanted.kind === 'goal') {
    await waitForJob(ctx, { namespace: nsOf(ctx), name, want: wanted.want as 'complete' | 'failed', deadline });
    return write(`${objectRef('Job', name)} condition met\n`);
  }
  const { waitForObject } = await import('../../kube/kinds/object-wait.js');
  if (wanted.kind === 'delete') {
    await waitForObject(ctx, { kind, namespace: nsOf(ctx), name, deadline });
    return write(`${objectRef(kind, name)} deleted\n`);
  }
  const until =
    wanted.kind === 'condition'
      ? (o: KubeObject) => ((o.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)?.conditions ?? []).some((c) => c.type?.toLowerCase() === wanted.type.toLowerCase() && c.status?.toLowerCase() === wanted.status.toLowerCase())
      : (o: KubeObject) => {
          const v = jsonPathValue(o, wanted.path);
          return wanted.value === undefined ? v !== undefined && v !== '' : v !== undefined && (typeof v === 'object' ? JSON.stringify(v) : String(v)) === wanted.value;
        };
  await waitForObject(ctx, { kind, namespace: nsOf(ctx), name, deadline, until });
  write(`${objectRef(kind, name)} condition met\n`);
}

function parseDuration(text: string): number {
  const m = /^(\d+)(s|m)?$/.exec(text);
  if (!m) throw invalidArgument(`--timeout "${text}" is not a duration`, 'e.g. --timeout 60s or --timeout 2m');
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

/**
 * `deploy/web`, `job/check`, `rs/x`, `ds/x`, `pod/x` or a pod name → the pods meant, as
 * kubectl picks them for logs and exec: the workload's pods, newest first.
 */
export async function podsOfTarget(cmd: Command, pods: PodManager, target: string): Promise<PodRef[] | undefined> {
  const slash = target.indexOf('/');
  if (slash < 0) return undefined;
  const res = target.slice(0, slash);
  const name = target.slice(slash + 1);
  if (['pod', 'pods', 'po'].includes(res)) return undefined;
  const kind = kindOf(res);
  if (!kind || !WORKLOAD_KINDS.includes(kind)) throw invalidArgument(`"${target}" names no workload`, 'give deploy/NAME, job/NAME, rs/NAME, ds/NAME or a pod name');
  return podsOfWorkloadNewestFirst(pods, kind, (cmd.opts() as { namespace?: string }).namespace ?? DEFAULT_NAMESPACE, name);
}

/**
 * For `podctl watch`: a liveness restart goes into the event log of the workload owning the
 * pod (found as describe finds its pods), so `describe` shows it; a bare pod has no log.
 */
export async function livenessEventRecorder(cmd: Command): Promise<(pod: PodView, container: string, message: string) => Promise<void>> {
  const ctx = await context(cmd);
  return (pod, container, message) => recordLivenessRestart(ctx.store, ctx.defaults, pod, container, message);
}
