import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { wrapDockerError } from './client.js';

/**
 * What podctl knows about the engine behind the Docker Engine API: dockerd, or podman's compat
 * service. The differences podman shows and where each is handled are listed in
 * docs/ARCHITECTURE.md ("Engines: dockerd and podman"); those that depend on which engine
 * answers are decided here.
 */
export type EngineName = 'docker' | 'podman';

export interface EngineInfo {
  name: EngineName;
  version: string;
  apiVersion: string;
}

/** The parts of `GET /version` podctl reads. */
export interface VersionAnswer {
  Version?: string;
  ApiVersion?: string;
  Components?: Array<{ Name?: string; Version?: string }>;
}

/** Which engine answered `GET /version`: podman names its component "Podman Engine". */
export function engineFromVersion(answer: VersionAnswer): EngineInfo {
  const podman = answer.Components?.find((c) => /podman/i.test(c.Name ?? ''));
  return {
    name: podman ? 'podman' : 'docker',
    version: podman?.Version ?? answer.Version ?? 'unknown',
    apiVersion: answer.ApiVersion ?? 'unknown',
  };
}

export async function identifyEngine(docker: Dockerode): Promise<EngineInfo> {
  try {
    return engineFromVersion((await docker.version()) as VersionAnswer);
  } catch (err) {
    throw wrapDockerError(err, 'ask the engine its version');
  }
}

/** The namespaces of a pod's pause container that an app container joins. */
export interface PodNamespaces {
  NetworkMode: string;
  IpcMode: string;
  PidMode?: string;
  UTSMode?: string;
}

/**
 * HostConfig joining an app container to the pause: network and IPC always, PID when the pod
 * shares it, and on podman the UTS namespace, so that every container has the pod's hostname
 * as it has under dockerd.
 */
export function podNamespaces(engine: EngineName, pauseId: string, sharePid: boolean): PodNamespaces {
  const joined = `container:${pauseId}`;
  return {
    NetworkMode: joined,
    IpcMode: joined,
    ...(sharePid ? { PidMode: joined } : {}),
    ...(engine === 'podman' ? { UTSMode: joined } : {}),
  };
}

/**
 * Whether the engine refuses to remove a container that others join (podman does; dockerd
 * removes the pause while its apps still hold the namespace), so the apps must go first.
 */
export const removesJoinedLast = (engine: EngineName): boolean => engine === 'podman';

/**
 * Where a dockerode client connects, as a DOCKER_HOST URL with the socket's directory resolved,
 * so that /var/run/docker.sock and /run/docker.sock name the same engine. Pods belong to the endpoint
 * that made them (PodStore).
 */
export async function endpointOf(docker: Dockerode): Promise<string> {
  const modem = (docker.modem ?? {}) as { getSocketPath?: () => Promise<string | undefined>; protocol?: string; host?: string; port?: string | number };
  // Without DOCKER_HOST the socket is found at first use (~/.docker/run/docker.sock, else
  // /var/run/docker.sock): the modem's own lookup says which.
  const socket = await modem.getSocketPath?.();
  if (socket) return `unix://${realSocketPath(socket)}`;
  return `${modem.protocol ?? 'http'}://${modem.host ?? 'localhost'}${modem.port ? `:${modem.port}` : ''}`;
}

/**
 * The socket's path with its directory resolved (/var/run -> /run). Only the directory: the
 * answer must not change while the engine is down and its socket gone, or pods would seem to
 * move to another engine.
 */
function realSocketPath(path: string): string {
  try {
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return path; // no such directory: the path as given
  }
}

/** The parts of an engine event podctl reads. */
export interface EngineEvent {
  Action?: string;
  Actor?: { Attributes?: Record<string, string> };
}

/**
 * The server-side filters for container events of containers carrying `label`, and, where the
 * engine cannot filter, the check each event must pass on this side. podman 4.3's compat
 * events match a label filter only as key=value and event names by podman's own words (`died`,
 * `remove`, while it reports `die`, `remove`): asked dockerd's way it sends nothing. So podman
 * gets the type filter only, and the label and the (reported) names are checked here, with
 * `destroy` read as podman's `remove`.
 */
export function containerEventQuery(engine: EngineName, label: string, events: readonly string[]): { filters: Record<string, string[]>; keep?: (event: EngineEvent) => boolean } {
  if (engine === 'docker') return { filters: { type: ['container'], label: [label], event: [...events] } };
  const wanted = new Set(events.map((e) => (e === 'destroy' ? 'remove' : e)));
  return {
    filters: { type: ['container'] },
    keep: (event) => event.Actor?.Attributes?.[label] !== undefined && wanted.has(event.Action ?? ''),
  };
}
