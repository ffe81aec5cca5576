import type { BackOffRecord } from './backoff.js';
import type { ContainerSummary } from '../docker/containers.js';
import type { PodCheckpoint } from './checkpoint.js';
import { LABEL, userLabels } from './labels.js';
import { NETNS_DIR } from '../netns/pins.js';
import { join } from 'node:path';
import { pauseRestartedBehindOurBack } from './pause-health.js';
import { podKey } from './naming.js';
import { DEFAULT_NAMESPACE, ifNameFor, type OwnerRef, type RestartPolicy } from './spec.js';

export interface ListFilter {
  /** A namespace, or undefined for all namespaces. */
  namespace?: string;
  labels?: Record<string, string>;
  name?: string;
  state?: string;
  all?: boolean;
  /** Only pods of this session (io.podctl.session). */
  session?: string;
}


/** A pod as `ps` and `inspect` show it. */
export type PodState = 'created' | 'running' | 'degraded' | 'stopped' | 'creating' | 'removing' | 'dead' | 'unknown';

export interface PodContainerView {
  name: string;
  id: string;
  image: string;
  /** The image's id as Docker's list gives it (`sha256:...`). */
  imageId?: string;
  role: string;
  state: string;
  status: string;
  /** Restarts while the pod runs: filled by `PodManager.countRestarts` (not by the list: Docker's count takes an inspect). */
  restarts?: number;
  /** serve's CrashLoopBackOff record of it (checkpoint): how it last ended, whether it waits. */
  backOff?: BackOffRecord;
}

export interface PodView {
  name: string;
  namespace: string;
  id: string;
  state: PodState;
  ips: string[];
  netns: string;
  networks: Array<{ name: string; ifname: string; ips: string[]; mac?: string; result?: unknown }>;
  pause: { id: string; image: string; pid?: number; state: string };
  containers: PodContainerView[];
  ready: number;
  total: number;
  labels: Record<string, string>;
  /** The session that made the pod (io.podctl.session), for `podctl gc --session` and the library. */
  session?: string;
  created: string;
  /** What is wrong with a degraded pod, and what to do. */
  problems?: string[];
  /** Started with a readiness wait that has not passed yet (or whose waiting command was killed). */
  awaitingReady?: boolean;
  /** The pod's owners (Kubernetes' metadata.ownerReferences), from its spec. */
  ownerReferences?: OwnerRef[];
  /** Its spec's restart policy (when it has a checkpoint): whether apps that ended have ended for good. */
  restartPolicy?: RestartPolicy;
  /** The restarts podctl made, per container (its checkpoint's `restarts`): `PodManager.countRestarts` adds Docker's. */
  podctlRestarts?: Record<string, number>;
  /** When its deletion began: the pod is Terminating. */
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  /** It should run but its sandbox is gone (pause died or removed): the kubelet makes it a new one. */
  sandboxDied?: boolean;
}

/**
 * The pod should run but its pause is down or gone (killed, `docker rm -f`, a dockerd restart,
 * a reboot), or a new sandbox for it was under way: the kubelet makes it a new sandbox. Not one
 * being deleted.
 */
export function sandboxDied(checkpoint: PodCheckpoint, members: ContainerSummary[]): boolean {
  if (checkpoint.deletionTimestamp) return false;
  if (checkpoint.sandboxRecreation) return checkpoint.phase === 'running' || checkpoint.phase === 'starting';
  const pause = members.find((c) => c.labels[LABEL.role] === 'pause' && c.id === checkpoint.pauseId);
  // A pod that restarts nothing (restart policy no: Kubernetes' Never) and whose app already
  // ended has run: a new sandbox would run it again.
  const ended = members.some((c) => c.labels[LABEL.role] === 'app' && (c.state === 'exited' || c.state === 'dead'));
  if (checkpoint.spec.restartPolicy === 'no' && ended) return false;
  return checkpoint.phase === 'running' && pause?.state !== 'running';
}

/**
 * Derives a pod's state from its containers (one list call for all pods) and its
 * checkpoint. "degraded" means part of the pod is down: an app exited or the pause
 * container was killed behind podctl's back.
 */
export function podState(checkpoint: PodCheckpoint | undefined, members: ContainerSummary[], pins?: ReadonlySet<string>): PodState {
  const pause = members.find((c) => c.labels[LABEL.role] === 'pause');
  const apps = members.filter((c) => c.labels[LABEL.role] === 'app');
  if (checkpoint?.phase === 'creating' || checkpoint?.phase === 'starting') return 'creating';
  if (checkpoint?.phase === 'removing') return 'removing';
  if (!pause) return members.length > 0 || checkpoint ? 'dead' : 'unknown';
  if (!checkpoint) return 'unknown';
  if (pins && sandboxGone(checkpoint, members, pins)) return 'stopped';
  const pauseUp = pause.state === 'running';
  const appsUp = apps.filter((c) => c.state === 'running').length;
  if (checkpoint.phase === 'created' && !pauseUp && appsUp === 0) return 'created';
  if (checkpoint.phase === 'stopped' && !pauseUp && appsUp === 0) return 'stopped';
  if (pauseUp && appsUp === apps.length && checkpoint.phase === 'running' && !pauseRestartedBehindOurBack(pause.status, checkpoint.pauseStartedAt)) {
    return 'running';
  }
  return 'degraded';
}

/**
 * Nothing of the pod's sandbox is left: its pause is down and its namespace pin is gone, as
 * after a host reboot (/var/run/netns is a tmpfs). The pod is stopped whatever its checkpoint
 * says; gc (or start, or rm) releases the addresses its networks still hold. `pins` is the
 * list of names under /var/run/netns: one readdir for all pods.
 */
export function sandboxGone(checkpoint: PodCheckpoint, members: ContainerSummary[], pins: ReadonlySet<string>): boolean {
  const pause = members.find((c) => c.labels[LABEL.role] === 'pause');
  return checkpoint.phase === 'running' && checkpoint.netnsPinned && pause !== undefined && pause.state !== 'running' && !pins.has(checkpoint.netnsName);
}

export function podView(checkpoint: PodCheckpoint | undefined, members: ContainerSummary[], ref: { name: string; namespace: string }, pins?: ReadonlySet<string>): PodView {
  const pause = members.find((c) => c.labels[LABEL.role] === 'pause');
  const apps = members.filter((c) => c.labels[LABEL.role] !== 'pause');
  const gone = checkpoint !== undefined && pins !== undefined && sandboxGone(checkpoint, members, pins);
  const attachments = gone ? [] : checkpoint?.attachments ?? [];
  const state = podState(checkpoint, members, pins);
  const running = state === 'running' || state === 'degraded';
  return {
    name: ref.name,
    namespace: ref.namespace,
    id: pause?.id ?? checkpoint?.pauseId ?? '',
    state,
    ips: running ? attachments.flatMap((a) => a.ips) : [],
    netns: checkpoint && !gone ? join(NETNS_DIR, checkpoint.netnsName) : '',
    networks: (checkpoint?.spec.networks ?? []).map((name, i) => {
      const a = attachments.find((x) => x.network === name);
      return { name, ifname: a?.ifName ?? ifNameFor(i), ips: a?.ips ?? [], ...(a?.mac ? { mac: a.mac } : {}) };
    }),
    pause: { id: pause?.id ?? '', image: checkpoint?.spec.pauseImage ?? pause?.image ?? '', state: pause?.state ?? 'missing' },
    containers: apps
      .map((c) => {
        const name = c.labels[LABEL.container] ?? c.name;
        const backOff = checkpoint?.backOff?.[name];
        return { name, id: c.id, image: requestedImage(checkpoint, name) ?? c.image, ...(c.imageId ? { imageId: c.imageId } : {}), role: c.labels[LABEL.role] ?? 'app', state: c.state, status: c.status, ...(backOff ? { backOff } : {}) };
      })
      .sort((a, b) => byCodePoint(a.name, b.name)),
    ready: apps.filter((c) => c.labels[LABEL.role] === 'app' && c.state === 'running').length,
    total: apps.filter((c) => c.labels[LABEL.role] === 'app').length,
    labels: userLabels(pause?.labels ?? checkpoint?.spec.labels ?? {}),
    ...optional('session', sessionOf(checkpoint, members)),
    created: checkpoint?.createdAt ?? (pause ? new Date(pause.created * 1000).toISOString() : ''),
    ...(state === 'degraded' ? { problems: degradedBecause(checkpoint, members) } : {}),
    ...(checkpoint?.awaitingReady ? { awaitingReady: true } : {}),
    ...(checkpoint?.spec.ownerReferences?.length ? { ownerReferences: checkpoint.spec.ownerReferences } : {}),
    ...(checkpoint ? { restartPolicy: checkpoint.spec.restartPolicy } : {}),
    ...(checkpoint?.restarts ? { podctlRestarts: checkpoint.restarts } : {}),
    ...(checkpoint?.deletionTimestamp ? { deletionTimestamp: checkpoint.deletionTimestamp, deletionGracePeriodSeconds: checkpoint.deletionGracePeriodSeconds ?? 0 } : {}),
    ...(checkpoint && sandboxDied(checkpoint, members) ? { sandboxDied: true } : {}),
  };
}

/**
 * The image as the pod spec names it. Engines report it differently (podman resolves `nginx`
 * to `localhost/nginx:latest`, dockerd keeps `nginx`); the spec is the same on both.
 */
function requestedImage(checkpoint: PodCheckpoint | undefined, container: string): string | undefined {
  const spec = checkpoint?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].find((c) => c.name === container)?.image;
}

const optional = <K extends string>(key: K, value: string | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, string>));

function sessionOf(checkpoint: PodCheckpoint | undefined, members: ContainerSummary[]): string | undefined {
  return checkpoint?.spec.session ?? members.find((c) => c.labels[LABEL.session])?.labels[LABEL.session];
}

/** Groups a list of podctl containers by pod ("namespace_name"). */
export function groupByPod(containers: ContainerSummary[]): Map<string, ContainerSummary[]> {
  const groups = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const key = podKey({ namespace: c.labels[LABEL.namespace] ?? DEFAULT_NAMESPACE, name: c.labels[LABEL.pod] ?? '' });
    const group = groups.get(key);
    if (group) group.push(c);
    else groups.set(key, [c]);
  }
  return groups;
}

/** Why a pod is degraded, in words a user can act on. */
function degradedBecause(checkpoint: PodCheckpoint | undefined, members: ContainerSummary[]): string[] {
  const problems: string[] = [];
  const pause = members.find((c) => c.labels[LABEL.role] === 'pause');
  if (pause && pause.state !== 'running') problems.push(`the pause container is ${pause.state}; restart the pod`);
  else if (pause && pauseRestartedBehindOurBack(pause.status, checkpoint?.pauseStartedAt)) {
    problems.push(`the pause container restarted outside podctl and its network namespace is not wired; restart the pod`);
  }
  for (const c of members.filter((m) => m.labels[LABEL.role] === 'app' && m.state !== 'running')) {
    problems.push(`container ${c.labels[LABEL.container] ?? c.name} is ${c.state} (${c.status}); see its logs`);
  }
  return problems;
}

/** Every pod: its containers (grouped from one list call) joined with its checkpoint. */
export function podViews(containers: ContainerSummary[], checkpoints: PodCheckpoint[], pins?: ReadonlySet<string>): PodView[] {
  const groups = groupByPod(containers);
  const byKey = new Map(checkpoints.map((c) => [podKey(c), c]));
  const keys = new Set([...groups.keys(), ...byKey.keys()]);
  return [...keys].map((key) => {
    const members = groups.get(key) ?? [];
    const checkpoint = byKey.get(key);
    const first = members[0];
    const ref = checkpoint ?? { name: first?.labels[LABEL.pod] ?? '', namespace: first?.labels[LABEL.namespace] ?? DEFAULT_NAMESPACE };
    return podView(checkpoint, members, ref, pins);
  });
}

/** What `ps` shows: filtered as asked (stopped and created pods only with `all`), sorted. */
/** Names are DNS labels: code-point order suffices, and localeCompare's first call costs ~4 ms (ICU collator). */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function filterViews(views: PodView[], filter: ListFilter): PodView[] {
  return views
    .filter((v) => filter.namespace === undefined || v.namespace === filter.namespace)
    .filter((v) => filter.name === undefined || v.name === filter.name)
    .filter((v) => filter.state === undefined || v.state === filter.state)
    .filter((v) => filter.session === undefined || v.session === filter.session)
    .filter((v) => filter.all || filter.state !== undefined || (v.state !== 'stopped' && v.state !== 'created'))
    .filter((v) => Object.entries(filter.labels ?? {}).every(([k, val]) => v.labels[k] === val))
    .sort((a, b) => byCodePoint(a.namespace, b.namespace) || byCodePoint(a.name, b.name));
}
