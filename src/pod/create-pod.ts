import { isMissingImage, type ContainerSummary, type CreateContainerSpec } from '../docker/containers.js';
import { join } from 'node:path';
import { NETNS_DIR } from '../netns/pins.js';
import { PodctlError, isPodctlError } from '../util/errors.js';
import type { PodCheckpoint } from './checkpoint.js';
import type { PodDeps } from './context.js';
import { LABEL, type ContainerRole } from './labels.js';
import { appContainerName, formatPodRef, netnsNameFor, pauseContainerName } from './naming.js';
import type { ContainerSpec, PodSpec } from './spec.js';
import type { Rollback } from './steps.js';
import { expandContainer } from './expand-vars.js';
import { dockerMounts, materializeVolumes, releaseVolumes } from './volumes.js';
import type Dockerode from 'dockerode';
import { settleAll } from '../util/settle.js';
import { engineRestartPolicy } from './restarts.js';

/** Resources, security context, tmpfs and init as Docker's HostConfig. */
export function dockerLimits(c: ContainerSpec): Dockerode.HostConfig {
  const r = c.resources ?? {};
  const sec = c.security ?? {};
  return {
    ...(r.memoryBytes !== undefined ? { Memory: r.memoryBytes } : {}),
    ...(r.memoryReservationBytes !== undefined ? { MemoryReservation: r.memoryReservationBytes } : {}),
    ...(r.cpus !== undefined ? { NanoCpus: Math.round(r.cpus * 1e9) } : {}),
    ...(r.cpuShares !== undefined ? { CpuShares: r.cpuShares } : {}),
    ...(sec.privileged ? { Privileged: true } : {}),
    ...(sec.readOnlyRootFilesystem ? { ReadonlyRootfs: true } : {}),
    ...(sec.capAdd?.length ? { CapAdd: sec.capAdd } : {}),
    ...(sec.capDrop?.length ? { CapDrop: sec.capDrop } : {}),
    ...(sec.allowPrivilegeEscalation === false ? { SecurityOpt: ['no-new-privileges'] } : {}),
    ...(c.tmpfs && Object.keys(c.tmpfs).length > 0 ? { Tmpfs: c.tmpfs } : {}),
    ...(c.init ? { Init: true } : {}),
  };
}

/** Labels every container of a pod carries, so one list call finds the whole pod. */
export function podLabels(spec: PodSpec, role: ContainerRole, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...spec.labels,
    [LABEL.pod]: spec.name,
    [LABEL.namespace]: spec.namespace,
    [LABEL.role]: role,
    ...(spec.session ? { [LABEL.session]: spec.session } : {}),
    ...extra,
  };
}

export function newCheckpoint(spec: PodSpec): PodCheckpoint {
  return {
    version: 1,
    name: spec.name,
    namespace: spec.namespace,
    spec,
    netnsName: netnsNameFor(spec),
    netnsPinned: false,
    networksPending: [],
    attachments: [],
    phase: 'creating',
    removeOnInterrupt: true,
    createdAt: new Date().toISOString(),
  };
}

/** A container of a pod as the start steps need it: its id and its labels. */
export type PodMember = Pick<ContainerSummary, 'id' | 'labels'>;

/**
 * Reserves the pod: checks the name, writes the first checkpoint, then creates the pause
 * container, whose name is the pod's atomic reservation. Each step registers its undo.
 */
export async function createSandbox(deps: PodDeps, spec: PodSpec, rollback: Rollback): Promise<PodCheckpoint> {
  const { steps, store } = deps;
  const checkpoint = newCheckpoint(spec);

  await steps.run('check-name', async () => {
    const existing = await store.read(spec);
    if (existing || (await deps.pins.exists(checkpoint.netnsName))) throw podExists(spec, existing !== undefined);
  });
  await steps.run('write-checkpoint', () => store.write(checkpoint));
  rollback.push('remove checkpoint', async () => {
    await releaseVolumes(deps, spec);
    await store.remove(spec);
  });

  checkpoint.pauseId = await createPause(deps, spec, rollback);
  await store.write(checkpoint);
  return checkpoint;
}

/** Creates the pod's pause container by name (the pod's atomic name reservation); its id. */
export async function createPause(deps: PodDeps, spec: PodSpec, rollback: Rollback): Promise<string> {
  const { steps, containers } = deps;
  const pauseId = await steps.run('create-pause', async () => {
    try {
      return await withImage(deps, podImages(spec), () => containers.create({
        name: pauseContainerName(spec),
        image: spec.pauseImage,
        labels: podLabels(spec, 'pause', { [LABEL.networks]: spec.networks.join(',') }),
        hostname: spec.hostname ?? spec.name,
        bareNetns: true,
        hostConfig: { IpcMode: 'shareable', RestartPolicy: { Name: 'no' } },
      }));
    } catch (err) {
      if (isPodctlError(err, 'ALREADY_EXISTS')) throw podExists(spec, true);
      throw err;
    }
  });
  rollback.push('remove pause container', () => containers.remove(pauseId));
  return pauseId;
}

/** The files of the pod bind-mounted over /etc/<same name> in every container (see pod-files.ts). */
const POD_FILES = ['resolv.conf', 'hosts'] as const;

/**
 * Creates every init and app container joined to the pause, all at once. `podIP` is given
 * when a container's env names the pod's IP (then creation waits for CNI ADD).
 */
export async function createContainers(deps: PodDeps, spec: PodSpec, pauseId: string, rollback: Rollback, podIP?: string): Promise<PodMember[]> {
  return deps.steps.run('create-containers', async () => {
    await deps.store.ensurePodFiles(spec, POD_FILES);
    // Services of the namespace that exist now, as Kubernetes' <SVC>_SERVICE_HOST variables.
    const serviceEnv = (await deps.services?.env(spec.namespace)) ?? {};
    return settleAll([
      ...spec.initContainers.map((c) => createApp(deps, spec, c, 'init', pauseId, rollback, serviceEnv, podIP)),
      ...spec.containers.map((c) => createApp(deps, spec, c, 'app', pauseId, rollback, serviceEnv, podIP)),
    ]);
  });
}

/** True when some container's env carries the pod IP, which exists only after CNI ADD. */
export const needsPodIP = (spec: PodSpec): boolean => [...spec.initContainers, ...spec.containers].some((c) => (c.podIPEnv ?? []).length > 0);

/** Creates a pod without starting it (`podctl create`). */
export async function createPod(deps: PodDeps, spec: PodSpec, rollback: Rollback): Promise<PodCheckpoint> {
  const checkpoint = await createSandbox(deps, spec, rollback);
  await deps.steps.run('materialize-volumes', () => materializeVolumes(deps, spec, rollback));
  await createContainers(deps, spec, checkpoint.pauseId!, rollback);
  checkpoint.phase = 'created';
  return checkpoint;
}

function podExists(spec: PodSpec, byPodctl: boolean): PodctlError {
  return new PodctlError('ALREADY_EXISTS', `pod ${formatPodRef(spec)} already exists`, {
    hint: byPodctl ? 'choose another pod name, or remove the existing pod first' : `${join(NETNS_DIR, netnsNameFor(spec))} is taken; choose another pod name`,
  });
}

/** The container's env, command and args as the process gets them: the pod IP filled in, `$(VAR)` expanded for manifests. */
function processOf(c: ContainerSpec, serviceEnv: Record<string, string>, podIP: string | undefined) {
  const env = { ...serviceEnv, ...c.env };
  for (const name of c.podIPEnv ?? []) env[name] = podIP ?? '';
  return c.expandVars ? expandContainer(env, c.command, c.args) : { env, command: c.command, args: c.args };
}

async function createApp(deps: PodDeps, spec: PodSpec, c: ContainerSpec, role: ContainerRole, pauseId: string, rollback: Rollback, serviceEnv: Record<string, string>, podIP?: string): Promise<PodMember> {
  const podDir = deps.store.podDir(spec);
  const labels = podLabels(spec, role, { [LABEL.container]: c.name, [LABEL.pauseId]: pauseId });
  const { env, command, args } = processOf(c, serviceEnv, podIP);
  const hostConfig: Dockerode.HostConfig = {
    ...(await deps.containers.podNamespaces(pauseId, spec.sharePid)),
    // One resolv.conf and hosts for the whole pod, written at start (see pod-files.ts).
    Binds: POD_FILES.map((file) => `${podDir}/${file}:/etc/${file}:ro`),
    Mounts: await dockerMounts(deps.volumes, podDir, spec, c),
    RestartPolicy: role === 'init' ? { Name: 'no' } : engineRestartPolicy(spec),
    ...dockerLimits(c),
  };
  // Always was pulled and Never checked in preparePod: only IfNotPresent pulls here.
  const images = (c.pullPolicy ?? 'IfNotPresent') === 'IfNotPresent' ? [c.image] : [];
  const id = await withImage(deps, images, () => deps.containers.create({
    name: appContainerName(spec, c.name),
    image: c.image,
    labels,
    env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    entrypoint: command,
    cmd: args,
    workingDir: c.workingDir,
    ...(c.security?.user !== undefined ? { user: c.security.user } : {}),
    ...containerStdio(c),
    hostConfig,
  }));
  rollback.push(`remove container ${c.name}`, () => deps.containers.remove(id));
  return { id, labels };
}

/** A container's stdin and TTY as the engine makes them (Kubernetes' stdin, stdinOnce, tty). */
export function containerStdio(c: Pick<ContainerSpec, 'stdin' | 'stdinOnce' | 'tty'>): Pick<CreateContainerSpec, 'openStdin' | 'stdinOnce' | 'tty'> {
  return { ...(c.stdin ? { openStdin: true, stdinOnce: c.stdinOnce ?? false } : {}), ...(c.tty ? { tty: true } : {}) };
}

/** The images a pod pulls when missing: its pause and every IfNotPresent container's. */
export function podImages(spec: PodSpec): string[] {
  const pulled = [...spec.initContainers, ...spec.containers].filter((c) => (c.pullPolicy ?? 'IfNotPresent') === 'IfNotPresent');
  return [spec.pauseImage, ...pulled.map((c) => c.image)];
}

/**
 * Creates a container, and only when the engine lacks its image, gets `images` (pulled with
 * progress, or built for podctl's pause) and creates it again: the common case, every image
 * present, costs no image check at all. The pause's miss fetches the whole pod's images at
 * once, so the app containers do not each wait for a pull of their own after it.
 */
async function withImage(deps: PodDeps, images: string[], create: () => Promise<string>): Promise<string> {
  try {
    return await create();
  } catch (err) {
    if (!isMissingImage(err) || images.length === 0) throw err;
    await deps.steps.run('ensure-images', () => deps.ensureImages(images));
    return create();
  }
}
