import type { NetworkConfigList } from '../cni/index.js';
import { invalidArgument } from '../util/errors.js';
import type { PodDeps } from './context.js';
import { formatPodRef, podKey } from './naming.js';
import { formatPortMapping } from './ports.js';
import type { PodSpec } from './spec.js';
import { validatePodSpec } from './spec-validate.js';
import { hostPortInUse } from './wait.js';

/**
 * Everything that can be checked before touching the host, all at once: the spec, the
 * networks and every plugin they name, the host ports, the images (pulled or built when
 * missing). A pod that fails here has changed nothing.
 */
export async function preparePod(deps: PodDeps, spec: PodSpec): Promise<NetworkConfigList[]> {
  validatePodSpec(spec);
  const images = [spec.pauseImage, ...spec.initContainers.map((c) => c.image), ...spec.containers.map((c) => c.image)];
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
    deps.steps.run('ensure-images', () => deps.ensureImages(images)),
  ]);
  return networks;
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
