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

/**
 * Creates the pod's containers without starting them: the pause container first (its name
 * is the pod's reservation), then every app and init container joined to it. Each creation
 * registers its undo on `rollback` at once.
 */
export async function createPod(deps: PodDeps, spec: PodSpec, rollback: Rollback): Promise<PodCheckpoint> {
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

  await steps.run('create-containers', () =>
    Promise.all([
      ...spec.initContainers.map((c) => createApp(deps, spec, c, 'init', pauseId, rollback)),
      ...spec.containers.map((c) => createApp(deps, spec, c, 'app', pauseId, rollback)),
    ]),
  );
  checkpoint.phase = 'created';
  return checkpoint;
}

function podExists(spec: PodSpec, byPodctl: boolean): PodctlError {
  return new PodctlError('ALREADY_EXISTS', `pod ${formatPodRef(spec)} already exists`, {
    hint: byPodctl ? `choose another --name, or remove it first with: podctl rm -f ${formatPodRef(spec)}` : `/var/run/netns/${netnsNameFor(spec)} is taken; choose another --name`,
  });
}

async function createApp(deps: PodDeps, spec: PodSpec, c: ContainerSpec, role: ContainerRole, pauseId: string, rollback: Rollback): Promise<string> {
  const podDir = deps.store.podDir(spec);
  const joined = `container:${pauseId}`;
  const id = await deps.containers.create({
    name: appContainerName(spec, c.name),
    image: c.image,
    labels: podLabels(spec, role, { [LABEL.container]: c.name, [LABEL.pauseId]: pauseId }),
    env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
    entrypoint: c.command,
    cmd: c.args,
    workingDir: c.workingDir,
    hostConfig: {
      NetworkMode: joined,
      IpcMode: joined,
      ...(spec.sharePid ? { PidMode: joined } : {}),
      // One resolv.conf and hosts for the whole pod, written at start (see pod-files.ts).
      Binds: [`${podDir}/resolv.conf:/etc/resolv.conf:ro`, `${podDir}/hosts:/etc/hosts:ro`],
      RestartPolicy: role === 'init' ? { Name: 'no' } : { Name: spec.restartPolicy },
    },
  });
  rollback.push(`remove container ${c.name}`, () => deps.containers.remove(id));
  return id;
}
