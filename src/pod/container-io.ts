import { Writable } from 'node:stream';
import type { AttachOptions, ContainerSummary, ExecOptions, OutputSink } from '../docker/containers.js';
import { PodctlError } from '../util/errors.js';
import type { PodDeps } from './context.js';
import { LABEL, type ContainerRole } from './labels.js';
import { formatPodRef, type PodRef } from './naming.js';
import type { PodCheckpoint } from './checkpoint.js';
import { instanceWindow, type LogWindow } from './log-window.js';
import { containerRestarts } from './restarts.js';
import type { PodSpec } from './spec.js';

/** What a command run in a container printed and how it ended. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface PodExecOptions {
  /** Default: the pod's first app container (see pickContainer). */
  container?: string;
  /** Piped to the command; without it the command gets no stdin. */
  stdin?: NodeJS.ReadableStream;
  tty?: boolean;
  /** Abandon a command still running after this long (TIMEOUT); Docker cannot kill one exec. */
  timeoutMs?: number;
  /** Called once the command runs (to resize its TTY). */
  onStart?: ExecOptions['onStart'];
}

export interface PodLogsOptions {
  /** Default: the pod's first app container (see pickContainer). */
  container?: string;
  /** Every container of the pod (init and app), each line prefixed with its name when there are several. */
  all?: boolean;
  follow?: boolean;
  tail?: number;
  timestamps?: boolean;
  /** kubectl's --prefix: every line starts `[pod/NAME/CONTAINER] `, even with one container. */
  podPrefix?: boolean;
  /** Only lines logged at or after this time (Unix seconds). */
  since?: number;
  /**
   * One of Kubernetes' instances of the one container read: `current` (since its last restart)
   * or `previous` (the run before; INVALID_ARGUMENT when it never restarted). See log-window.ts.
   */
  instance?: 'current' | 'previous';
  /** Stops reading (the reader went away). */
  signal?: AbortSignal;
}

/**
 * The one rule for the container exec and logs act on: the one named, or else the pod's first
 * app container in the order its spec declares them (creation order when the checkpoint, and
 * with it the spec, is gone). `roles` limits which containers may be named.
 */
export function pickContainer(ref: PodRef, members: ContainerSummary[], spec: PodSpec | undefined, name: string | undefined, roles: ContainerRole[]): ContainerSummary {
  const eligible = inDeclaredOrder(members, spec).filter((c) => roles.includes(c.labels[LABEL.role] as ContainerRole));
  if (eligible.length === 0) throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} not found`, { hint: 'check its name and namespace against the list of pods' });
  const found = name === undefined ? eligible.find((c) => c.labels[LABEL.role] === 'app') : eligible.find((c) => c.labels[LABEL.container] === name);
  if (!found) {
    throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} has no container ${name ?? '(no app container)'}`, {
      hint: `its containers are: ${eligible.map((c) => c.labels[LABEL.container]).join(', ')}`,
    });
  }
  return found;
}

/** A pod's init and app containers (not the pause): init containers first, each kind as declared. */
export function inDeclaredOrder(members: ContainerSummary[], spec: PodSpec | undefined): ContainerSummary[] {
  const declared = spec ? [...spec.initContainers, ...spec.containers].map((c) => c.name) : [];
  const rank = (c: ContainerSummary) => {
    const at = declared.indexOf(c.labels[LABEL.container] ?? '');
    return at === -1 ? declared.length : at;
  };
  return members
    .filter((c) => c.labels[LABEL.role] !== 'pause')
    .sort((a, b) => rank(a) - rank(b) || a.created - b.created || a.name.localeCompare(b.name));
}

/** Runs a command in a running container of the pod; returns its exit code. */
export async function execInPod(deps: PodDeps, ref: PodRef, members: ContainerSummary[], spec: PodSpec | undefined, command: string[], sink: OutputSink, options: PodExecOptions): Promise<number> {
  if (command.length === 0) throw new PodctlError('INVALID_ARGUMENT', 'no command given', { hint: 'give the command to run, e.g. ls /' });
  return deps.containers.exec(runningTarget(ref, members, spec, options.container).id, command, sink, options);
}

export interface PodAttachOptions extends AttachOptions {
  /** Default: the pod's first app container (see pickContainer). */
  container?: string;
}

/** Attaches to a running container of the pod (its output from now on, its stdin) until it exits or the signal aborts. */
export async function attachInPod(deps: PodDeps, ref: PodRef, members: ContainerSummary[], spec: PodSpec | undefined, sink: OutputSink, options: PodAttachOptions): Promise<void> {
  const target = runningTarget(ref, members, spec, options.container);
  // A container's own TTY decides how its output comes (raw, not split in two), whatever the client asked.
  const declared = spec?.containers.find((c) => c.name === target.labels[LABEL.container]);
  return deps.containers.attach(target.id, sink, { ...options, tty: declared ? declared.tty === true : (options.tty ?? false) });
}

function runningTarget(ref: PodRef, members: ContainerSummary[], spec: PodSpec | undefined, container: string | undefined): ContainerSummary {
  const target = pickContainer(ref, members, spec, container, ['app']);
  if (target.state !== 'running') {
    throw new PodctlError('FAILED_PRECONDITION', `container ${target.labels[LABEL.container]} of pod ${formatPodRef(ref)} is not running (${target.status})`, {
      hint: 'start the pod first',
    });
  }
  return target;
}

/** Writes the logs of one container (or, with `all`, of every container) of the pod into `sink`. */
export async function podLogs(deps: PodDeps, ref: PodRef, members: ContainerSummary[], spec: PodSpec | undefined, sink: OutputSink, options: PodLogsOptions, restarts?: PodCheckpoint['restarts']): Promise<void> {
  const chosen = options.all && options.container === undefined ? inDeclaredOrder(members, spec) : [pickContainer(ref, members, spec, options.container, ['init', 'app'])];
  if (chosen.length === 0) throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} not found`, { hint: 'check its name and namespace against the list of pods' });
  const read = async (c: ContainerSummary) => {
    const into = options.podPrefix || chosen.length > 1 ? prefixLines(linePrefix(ref, c.labels[LABEL.container] ?? c.name, options.podPrefix ?? false), sink) : { sink, flush: () => {} };
    const window = options.instance ? await instanceOf(deps, ref, c, restarts, options.instance) : {};
    const since = Math.max(options.since ?? 0, window.since ?? 0);
    await deps.containers.logs(c.id, into.sink, { ...options, ...(since > 0 ? { since } : {}), ...(window.until !== undefined ? { until: window.until } : {}) });
    into.flush();
  };
  // Followed logs run side by side; a one-shot read prints each container's lines together.
  if (options.follow) await Promise.all(chosen.map(read));
  else for (const c of chosen) await read(c);
}

/** The window of a container's log that is one of its instances (log-window.ts), from one inspect. */
async function instanceOf(deps: PodDeps, ref: PodRef, c: ContainerSummary, restarts: PodCheckpoint['restarts'], instance: 'current' | 'previous'): Promise<LogWindow> {
  const name = c.labels[LABEL.container] ?? c.name;
  const details = await deps.containers.inspect(c.id);
  if (!details) throw new PodctlError('NOT_FOUND', `container ${name} of pod ${formatPodRef(ref)} is gone`);
  const window = instanceWindow({ running: details.running, startedAt: details.startedAt, finishedAt: details.finishedAt, restarts: containerRestarts({ restarts }, name, details.restartCount) }, instance);
  if (!window) throw new PodctlError('INVALID_ARGUMENT', `previous terminated container "${name}" in pod "${ref.name}" not found`, { hint: 'the container has not restarted' });
  return window;
}

/** `[nginx] ` between a pod's containers; kubectl's `[pod/web-x/nginx] ` when lines of several pods meet. */
export function linePrefix(ref: PodRef, container: string, withPod: boolean): string {
  return withPod ? `[pod/${ref.name}/${container}] ` : `[${container}] `;
}

/** A sink that writes whole lines, each with a prefix; `flush` ends an unterminated last line. */
function prefixLines(prefix: string, sink: OutputSink): { sink: OutputSink; flush: () => void } {
  const carry = { stdout: '', stderr: '' };
  const lines = (stream: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        const parts = (carry[stream] + chunk.toString('utf8')).split('\n');
        carry[stream] = parts.pop() ?? '';
        for (const line of parts) sink[stream].write(prefix + line + '\n');
        callback();
      },
    });
  return {
    sink: { stdout: lines('stdout'), stderr: lines('stderr') },
    flush: () => {
      for (const stream of ['stdout', 'stderr'] as const) if (carry[stream]) sink[stream].write(prefix + carry[stream] + '\n');
    },
  };
}
