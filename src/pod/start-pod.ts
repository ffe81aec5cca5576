import { collectOutput } from '../docker/containers.js';
import { PodctlError } from '../util/errors.js';
import type { PodCheckpoint } from './checkpoint.js';
import type { PodDeps } from './context.js';
import { LABEL } from './labels.js';
import { attachNetwork, detachNetworks } from './network.js';
import { baseDns, dnsPolicyOf, hostDns, podDns, renderHosts, renderResolvConf, type CniDns } from './pod-files.js';
import { podFilter } from './labels.js';
import { materializeVolumes } from './volumes.js';
import { podHostNames } from './spec.js';
import type { Rollback } from './steps.js';
import type { PodMember } from './create-pod.js';
import type { NetworkConfigList } from '../cni/index.js';
import { portmapLocalnetBridge } from './network.js';

/** Brings a created (or stopped) pod up: its sandbox, then its containers. */
export async function startPod(deps: PodDeps, checkpoint: PodCheckpoint, networks: NetworkConfigList[], rollback: Rollback): Promise<void> {
  const members = await deps.containers.list(podFilter(checkpoint.name, checkpoint.namespace));
  // A reboot empties the pod's tmpfs: its secrets and memory volumes are written again.
  await deps.steps.run('materialize-volumes', () => materializeVolumes(deps, checkpoint.spec, rollback));
  await startSandbox(deps, checkpoint, networks, rollback);
  await startContainers(deps, checkpoint, members, rollback);
}

/**
 * The pod's sandbox: pause, namespace pin, CNI ADD per network, the pod's resolv.conf and
 * hosts. Every step registers its undo, the network teardown *before* its ADD, because a
 * failed ADD may still have allocated an address.
 */
export async function startSandbox(deps: PodDeps, checkpoint: PodCheckpoint, networks: NetworkConfigList[], rollback: Rollback): Promise<void> {
  const { steps, store, containers, pins, cni, logger } = deps;
  const spec = checkpoint.spec;
  const pauseId = checkpoint.pauseId;
  if (!pauseId) throw new PodctlError('INTERNAL', `pod ${spec.name} has no pause container recorded`);

  checkpoint.phase = 'starting';
  await store.write(checkpoint);

  const pid = await steps.run('start-pause', async () => {
    await containers.start(pauseId);
    const details = await containers.inspect(pauseId);
    if (!details?.running || details.pid <= 0) throw new PodctlError('INTERNAL', `pause container of pod ${spec.name} did not stay running`);
    checkpoint.pauseStartedAt = details.startedAt;
    return details.pid;
  });
  rollback.push('stop pause container', () => containers.stop(pauseId, 0));

  checkpoint.netnsPinned = true;
  await store.write(checkpoint);
  const netnsPath = await steps.run('pin-netns', () => pins.pin(checkpoint.netnsName, pid));
  rollback.push('unpin network namespace', async () => {
    await pins.unpin(checkpoint.netnsName);
    checkpoint.netnsPinned = false;
  });

  await guardRouteLocalnet(deps, checkpoint, networks[0], rollback);
  const cniDns: Array<CniDns | undefined> = [];
  const cniRoutes: string[][] = [];
  for (const [index, net] of networks.entries()) {
    checkpoint.networksPending.push(net.name);
    await store.write(checkpoint);
    rollback.push(`cni del ${net.name}`, async () => {
      const failures = await detachNetworks(cni, { ...checkpoint, networksPending: [net.name], attachments: [] }, netnsPath, logger);
      if (failures[0]) throw failures[0].error;
    });
    const outcome = await steps.run(`cni-add-${net.name}`, () => attachNetwork(cni, net, { spec, pauseId, netnsPath }, index));
    checkpoint.attachments.push(outcome.record);
    checkpoint.networksPending = checkpoint.networksPending.filter((n) => n !== net.name);
    cniDns.push(outcome.dns);
    cniRoutes.push(outcome.routes);
    await store.write(checkpoint);
  }

  await steps.run('write-pod-files', async () => {
    const [host, services, server] = await Promise.all([hostDns(), deps.services?.podFiles(spec.namespace), clusterDnsFor(deps, checkpoint, networks[0]?.name, cniRoutes[0] ?? [], rollback)]);
    const cluster = services ? { ...(server ? { server } : {}), searches: services.searches } : undefined;
    const dns = podDns(spec.dns, baseDns(cniDns[0], host), cluster);
    const ips = checkpoint.attachments.flatMap((a) => a.ips);
    await store.writePodFile(spec, 'resolv.conf', renderResolvConf(dns));
    // A pod the DNS server answers gets the kubelet's lines only; the others keep service names in it.
    const serviceHosts = server ? '' : (services?.hosts ?? '');
    await store.writePodFile(spec, 'hosts', renderHosts(podHostNames(spec), ips.slice(0, 1), spec.hostAliases) + serviceHosts);
  });
}

type ServicesClaim = Partial<Pick<PodCheckpoint, 'clusterDns' | 'routeLocalnet'>>;

/**
 * Writes what the pod needs of Services into its checkpoint before asking for it, so a
 * concurrent sync already keeps it (service-pods.ts); a failed start takes the claim back
 * and syncs without the pod.
 */
async function claimFromServices(deps: PodDeps, checkpoint: PodCheckpoint, claim: ServicesClaim, rollback: Rollback, undo: string): Promise<void> {
  Object.assign(checkpoint, claim);
  await deps.store.write(checkpoint);
  rollback.push(undo, async () => {
    for (const key of Object.keys(claim) as Array<keyof ServicesClaim>) delete checkpoint[key];
    await deps.store.write(checkpoint);
    await deps.services?.leave(checkpoint);
  });
}

/**
 * The portmap plugin (with `snat`, its default) switches route_localnet on at the pod's bridge
 * so 127.0.0.1 host ports work, and never back. So the pod's checkpoint names that bridge
 * before its ADD, and Services record the sysctl's first value and put the loopback guard in
 * place; they give the value back once no pod or NodePort needs it. Port mappings go to the
 * first network only (network.ts). A network whose host side is no bridge (ptp) has a veth per
 * pod there, which goes with the pod.
 */
async function guardRouteLocalnet(deps: PodDeps, checkpoint: PodCheckpoint, network: NetworkConfigList | undefined, rollback: Rollback): Promise<void> {
  const iface = network && checkpoint.spec.portMappings.length > 0 ? portmapLocalnetBridge(network) : undefined;
  if (!deps.services || !iface) return;
  await claimFromServices(deps, checkpoint, { routeLocalnet: iface }, rollback, 'give route_localnet back');
  await deps.steps.run('guard-route-localnet', () => deps.services!.guardLocalnet());
}

/**
 * A ClusterFirst pod on the default gateway bridge whose routes reach the service range uses
 * the cluster DNS: its checkpoint says so before the server is asked for (a concurrent sync
 * then keeps the server for it), and a failed start lets it go again. Undefined (hosts-file
 * names) when the server cannot serve it.
 */
async function clusterDnsFor(deps: PodDeps, checkpoint: PodCheckpoint, network: string | undefined, routes: string[], rollback: Rollback): Promise<string | undefined> {
  if (!deps.services || !network || dnsPolicyOf(checkpoint.spec.dns) !== 'ClusterFirst' || !deps.services.routesToClusterDns(routes)) return undefined;
  await claimFromServices(deps, checkpoint, { clusterDns: true }, rollback, 'leave the cluster DNS');
  const server = await deps.services.clusterDns(network).catch((err: unknown) => {
    deps.logger.warn(`the cluster DNS is not available, pod ${checkpoint.name} resolves service names through its hosts file: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  if (!server) {
    delete checkpoint.clusterDns;
    await deps.store.write(checkpoint);
  }
  return server;
}

/** Init containers to completion, in order, then the app containers, all at once. */
export async function startContainers(deps: PodDeps, checkpoint: PodCheckpoint, members: PodMember[], rollback: Rollback): Promise<void> {
  const { steps, store, containers } = deps;
  await steps.run('run-init-containers', () => runInitContainers(deps, checkpoint, members));

  const apps = members.filter((c) => c.labels[LABEL.role] === 'app');
  await steps.run('start-containers', () => Promise.all(apps.map((c) => containers.start(c.id))));
  rollback.push('stop app containers', async () => {
    await Promise.all(apps.map((c) => containers.stop(c.id, 0)));
  });

  checkpoint.phase = 'running';
  checkpoint.removeOnInterrupt = false;
  await store.write(checkpoint);
}

/** Init containers run one at a time, in order; the first that fails fails the pod, with its logs. */
async function runInitContainers(deps: PodDeps, checkpoint: PodCheckpoint, members: PodMember[]): Promise<void> {
  for (const init of checkpoint.spec.initContainers) {
    const member = members.find((c) => c.labels[LABEL.role] === 'init' && c.labels[LABEL.container] === init.name);
    if (!member) throw new PodctlError('INTERNAL', `init container ${init.name} of pod ${checkpoint.name} is missing`);
    await deps.containers.start(member.id);
    const exitCode = await deps.containers.wait(member.id);
    if (exitCode !== 0) {
      const logs = await tailLogs(deps, member.id);
      throw new PodctlError('FAILED_PRECONDITION', `init container ${init.name} exited with code ${exitCode}${logs ? `: ${logs}` : ''}`, {
        hint: `see the logs of container ${init.name}`,
      });
    }
  }
}

async function tailLogs(deps: PodDeps, id: string): Promise<string> {
  try {
    const output = collectOutput();
    await deps.containers.logs(id, output.sink, { tail: 5 });
    return output.text().both.trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
}
