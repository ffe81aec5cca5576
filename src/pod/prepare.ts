import type { NetworkConfigList } from '../cni/index.js';
import { PodctlError, invalidArgument } from '../util/errors.js';
import { checkVolumes } from './volumes.js';
import type { PodDeps } from './context.js';
import { formatPodRef, podKey } from './naming.js';
import { formatPortMapping } from './ports.js';
import type { ContainerSpec, PodSpec } from './spec.js';
import { validatePodSpec } from './spec-validate.js';
import { hostPortInUse } from './wait.js';

/**
 * Everything that can be checked before touching the host, all at once: the spec, the
 * networks and every plugin they name, the host ports, the pull policies. A pod that fails here
 * has changed nothing. Missing images are fetched when creating a container finds them
 * missing (create-pod.ts), so that a run whose images are all here makes no image check.
 */
export async function preparePod(deps: PodDeps, spec: PodSpec): Promise<NetworkConfigList[]> {
  validatePodSpec(spec);
  const all = [...spec.initContainers, ...spec.containers];
  const [networks] = await Promise.all([
    deps.steps.run('load-networks', () =>
      Promise.all(
        spec.networks.map(async (n) => {
          const net = await deps.cni.getNetwork(n);
          await deps.cni.requirePlugins(net);
          return net;
        }),
      ),
    ),
    deps.steps.run('check-ports', () => checkHostPorts(deps, spec)),
    deps.steps.run('pull-policies', () => Promise.all(all.map((c) => applyPullPolicy(deps, c)))),
    deps.steps.run('check-volumes', () => checkVolumes(deps.volumes, spec)),
  ]);
  await deps.steps.run('check-users', () => Promise.all(all.map((c) => checkNonRoot(deps, c))));
  return networks;
}

/** imagePullPolicy: Always pulls again, Never requires the image to be here already. */
async function applyPullPolicy(deps: PodDeps, c: ContainerSpec): Promise<void> {
  if (c.pullPolicy === 'Always') await deps.images.pull(c.image);
  if (c.pullPolicy === 'Never' && !(await deps.images.exists(c.image))) {
    throw new PodctlError('NOT_FOUND', `image ${c.image} of container ${c.name} is not present and its imagePullPolicy is Never`, { hint: `load it first (docker pull/load ${c.image}) or use IfNotPresent` });
  }
}

/** runAsNonRoot, as the kubelet checks it: the effective user (the spec's, else the image's) must be a non-zero uid. */
async function checkNonRoot(deps: PodDeps, c: ContainerSpec): Promise<void> {
  if (!c.security?.runAsNonRoot) return;
  if (c.security.user === undefined && (c.pullPolicy ?? 'IfNotPresent') === 'IfNotPresent') await deps.ensureImages([c.image]);
  const user = c.security.user ?? ((await deps.images.user(c.image)) || '0');
  const uid = user.split(':')[0] ?? '';
  if (!/^\d+$/.test(uid)) throw invalidArgument(`container ${c.name} has runAsNonRoot and its user "${user}" is not numeric, so it cannot be verified`, 'set securityContext.runAsUser to a non-zero uid');
  if (Number(uid) === 0) throw invalidArgument(`container ${c.name} has runAsNonRoot but would run as root`, 'set securityContext.runAsUser to a non-zero uid, or use an image with a non-root USER');
}

/** A host port is free: no other pod maps it, and nothing on the host listens on it. */
async function checkHostPorts(deps: PodDeps, spec: PodSpec): Promise<void> {
  if (spec.portMappings.length === 0) return;
  const others = await deps.store.list();
  for (const m of spec.portMappings) {
    const owner = others.find(
      (c) => podKey(c) !== podKey(spec) && c.phase !== 'stopped' && c.spec.portMappings.some((o) => o.hostPort === m.hostPort && o.protocol === m.protocol),
    );
    if (owner) throw invalidArgument(`host port ${formatPortMapping(m)} is already mapped by pod ${formatPodRef(owner)}`, 'choose another host port');
    if (await hostPortInUse(m.hostPort, m.protocol, m.hostIP)) {
      throw invalidArgument(`host port ${m.hostPort}/${m.protocol} is already in use on this host`, 'choose another host port');
    }
  }
}
