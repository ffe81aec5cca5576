import type { ContainerSummary } from '../docker/containers.js';
import { join } from 'node:path';
import { NETNS_DIR } from '../netns/pins.js';
import { PodctlError, isPodctlError } from '../util/errors.js';
import type { PodCheckpoint } from './checkpoint.js';
import type { PodDeps } from './context.js';
import { LABEL, type ContainerRole } from './labels.js';
import { appContainerName, formatPodRef, netnsNameFor, pauseContainerName } from './naming.js';
import type { ContainerSpec, PodSpec } from './spec.js';
import type { Rollback } from './steps.js';

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
  const { steps, store, containers } = deps;
  const checkpoint = newCheckpoint(spec);

  await steps.run('check-name', async () => {
    const existing = await store.read(spec);
    if (existing || (await deps.pins.exists(checkpoint.netnsName))) throw podExists(spec, existing !== undefined);
  });
  await steps.run('write-checkpoint', () => store.write(checkpoint));
  rollback.push('remove checkpoint', () => store.remove(spec));

  const pauseId = await steps.run('create-pause', async () => {
    try {
      return await containers.create({
        name: pauseContainerName(spec),
        image: spec.pauseImage,
        labels: podLabels(spec, 'pause', { [LABEL.networks]: spec.networks.join(',') }),
        hostname: spec.hostname ?? spec.name,
        hostConfig: { NetworkMode: 'none', IpcMode: 'shareable', RestartPolicy: { Name: 'no' } },
      });
    } catch (err) {
      if (isPodctlError(err, 'ALREADY_EXISTS')) throw podExists(spec, true);
      throw err;
    }
  });
  rollback.push('remove pause container', () => containers.remove(pauseId));
  checkpoint.pauseId = pauseId;
  await store.write(checkpoint);
  return checkpoint;
}

/** The files of the pod bind-mounted over /etc/<same name> in every container (see pod-files.ts). */
const POD_FILES = ['resolv.conf', 'hosts'] as const;

/** Creates every init and app container joined to the pause, all at once. */
export async function createContainers(deps: PodDeps, spec: PodSpec, pauseId: string, rollback: Rollback): Promise<PodMember[]> {
  return deps.steps.run('create-containers', async () => {
    await deps.store.ensurePodFiles(spec, POD_FILES);
    // Services of the namespace that exist now, as Kubernetes' <SVC>_SERVICE_HOST variables.
    const serviceEnv = (await deps.services?.env(spec.namespace)) ?? {};
    return settleAll([
      ...spec.initContainers.map((c) => createApp(deps, spec, c, 'init', pauseId, rollback, serviceEnv)),
      ...spec.containers.map((c) => createApp(deps, spec, c, 'app', pauseId, rollback, serviceEnv)),
    ]);
  });
}

/** Creates a pod without starting it (`podctl create`). */
export async function createPod(deps: PodDeps, spec: PodSpec, rollback: Rollback): Promise<PodCheckpoint> {
  const checkpoint = await createSandbox(deps, spec, rollback);
  await createContainers(deps, spec, checkpoint.pauseId!, rollback);
  checkpoint.phase = 'created';
  return checkpoint;
}

/**
 * Like Promise.all, but waits for every promise to settle before failing: a rollback must
 * not start while a sibling is still creating something it would then miss.
 */
export async function settleAll<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function podExists(spec: PodSpec, byPodctl: boolean): PodctlError {
  return new PodctlError('ALREADY_EXISTS', `pod ${formatPodRef(spec)} already exists`, {
    hint: byPodctl ? 'choose another pod name, or remove the existing pod first' : `${join(NETNS_DIR, netnsNameFor(spec))} is taken; choose another pod name`,
  });
}

async function createApp(deps: PodDeps, spec: PodSpec, c: ContainerSpec, role: ContainerRole, pauseId: string, rollback: Rollback, serviceEnv: Record<string, string>): Promise<PodMember> {
  const podDir = deps.store.podDir(spec);
  const labels = podLabels(spec, role, { [LABEL.container]: c.name, [LABEL.pauseId]: pauseId });
  const id = await deps.containers.create({
    name: appContainerName(spec, c.name),
    image: c.image,
    labels,
    env: Object.entries({ ...serviceEnv, ...c.env }).map(([k, v]) => `${k}=${v}`),
    entrypoint: c.command,
    cmd: c.args,
    workingDir: c.workingDir,
    hostConfig: {
      ...(await deps.containers.podNamespaces(pauseId, spec.sharePid)),
      // One resolv.conf and hosts for the whole pod, written at start (see pod-files.ts).
      Binds: POD_FILES.map((file) => `${podDir}/${file}:/etc/${file}:ro`),
      RestartPolicy: role === 'init' ? { Name: 'no' } : { Name: spec.restartPolicy },
    },
  });
  rollback.push(`remove container ${c.name}`, () => deps.containers.remove(id));
  return { id, labels };
}
