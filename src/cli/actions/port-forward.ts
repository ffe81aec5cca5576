import type { Command } from 'commander';
import { isIP } from 'node:net';
import type { PodManager } from '../../pod/manager.js';
import type { PodRef } from '../../pod/naming.js';
import type { ForwardedPort } from '../../pod/port-forward.js';
import { DEFAULT_NAMESPACE } from '../../pod/spec.js';
import type { ServiceEndpoints } from '../../service/types.js';
import { PodctlError, invalidArgument } from '../../util/errors.js';
import { openPods } from '../context.js';
import { parsePortArg, type PortArg } from '../port-forward-args.js';
import { targetPod } from './pods.js';

const SERVICE_PREFIX = /^(svc|service|services)\//;

/**
 * `podctl port-forward POD|pod/NAME|svc/NAME|deploy/NAME PORT...`: as kubectl, one pod is
 * chosen (a service's ready endpoint, a workload's newest pod) and every port goes to it, to
 * localhost inside the pod; the forward ends with an error when that pod goes away.
 */
export async function portForwardAction(cmd: Command, target: string, portArgs: string[]): Promise<void> {
  const opts = cmd.opts() as { address?: string; namespace?: string };
  const wanted = portArgs.map(parsePortArg);
  const addresses = listenAddresses(opts.address ?? '127.0.0.1');
  const pods = await openPods(cmd);
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const { ref, remotes } = SERVICE_PREFIX.test(target)
    ? throughService(await pods.services.get({ name: target.replace(SERVICE_PREFIX, ''), namespace }), wanted)
    : await toPod(cmd, pods, target, wanted);
  const ports: ForwardedPort[] = wanted.flatMap((w, i) => (w.address !== undefined ? [w.address] : addresses).map((address) => ({ address, local: w.local, remote: remotes[i]! })));
  for (const address of new Set(ports.map((p) => p.address))) {
    if (!isLoopback(address)) process.stderr.write(`podctl: warning: listening on ${address}: other hosts that reach this address reach the pod\n`);
  }
  const forward = await pods.portForward(ref, ports, {
    onConnection: (local) => process.stderr.write(`Handling connection for ${local}\n`),
    onError: (local, remote, message) => process.stderr.write(`podctl: error: an error occurred forwarding ${local} -> ${remote}: ${message}\n`),
  });
  for (const p of forward.ports) process.stdout.write(`Forwarding from ${p.address.includes(':') ? `[${p.address}]` : p.address}:${p.local} -> ${p.remote}\n`);
  const stop = () => void forward.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await forward.ended;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function listenAddresses(text: string): string[] {
  const addresses = text.split(',').map((a) => (a.trim() === 'localhost' ? '127.0.0.1' : a.trim()));
  for (const a of addresses) if (isIP(a) === 0) throw invalidArgument(`--address ${a}: not an IP address`, 'give IP addresses, e.g. --address 127.0.0.1 or --address 127.0.0.1,::1');
  return [...new Set(addresses)];
}

const isLoopback = (address: string) => address === '::1' || address.startsWith('127.');

/** A pod or a workload's pod; named remote ports are the ones its containers declare. */
async function toPod(cmd: Command, pods: PodManager, target: string, wanted: PortArg[]): Promise<{ ref: PodRef; remotes: number[] }> {
  const ref = await targetPod(cmd, pods, target);
  const declared = (await pods.getSpec(ref))?.containers.flatMap((c) => c.ports ?? []) ?? [];
  const remotes = wanted.map((w) => {
    if (typeof w.remote === 'number') return w.remote;
    const port = declared.find((p) => p.name === w.remote);
    if (!port) throw new PodctlError('NOT_FOUND', `pod ${ref.name} has no container port named ${w.remote}`, { hint: 'give the port number, or a name from the pod\'s containers[].ports' });
    return port.containerPort;
  });
  return { ref, remotes };
}

/**
 * A service port (number or name) becomes the target port of one ready endpoint, the same pod
 * for every port, as kubectl translates a service to a pod.
 */
export function throughService(s: ServiceEndpoints, wanted: PortArg[]): { ref: PodRef; remotes: number[] } {
  const name = s.service.name;
  const chosen = wanted.map((w) => {
    const port = s.ports.find((p) => (typeof w.remote === 'number' ? p.port.port === w.remote : p.port.name === w.remote));
    if (!port) {
      const has = s.ports.map((p) => `${p.port.name ? `${p.port.name} ` : ''}${p.port.port}/${p.port.protocol}`).join(', ');
      throw new PodctlError('NOT_FOUND', `service ${name} has no port ${w.remote} (it has ${has})`, { hint: 'give one of the service\'s ports, by number or name' });
    }
    if (port.port.protocol !== 'TCP') throw invalidArgument(`service ${name} port ${port.port.port} is ${port.port.protocol}: port-forward carries TCP only`, 'forward a TCP port');
    return port;
  });
  const candidates = chosen[0]!.endpoints.map((e) => e.pod).filter((pod) => chosen.every((p) => p.endpoints.some((e) => e.pod === pod)));
  const pod = candidates[0];
  if (pod === undefined) throw new PodctlError('NOT_FOUND', `service ${name} has no ready pod to forward to`, { hint: `see its endpoints: podctl get endpoints ${name}` });
  return { ref: { name: pod, namespace: s.service.namespace }, remotes: chosen.map((p) => p.endpoints.find((e) => e.pod === pod)!.port) };
}
