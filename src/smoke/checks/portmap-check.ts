import type { NetworkConfigList } from '../../cni/index.js';
import { cidrFamily, firstHost } from '../../util/cidr.js';
import { readBanner, startNetnsListener } from '../host/listener.js';
import { ipamRanges } from './subnets.js';

/** The port the listener opens inside the pod. */
export const CONTAINER_PORT = 8080;

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp';
  hostIP: string;
}

/** Whether the chain has a portmap plugin that takes `portMappings` from the runtime. */
export function hasPortmap(net: NetworkConfigList): boolean {
  return net.plugins.some((p) => p.type === 'portmap' && p.capabilities?.portMappings === true);
}

/**
 * The host's IPv6 address on the network, as a bridge with isGateway sets it: the first IPv6
 * range's gateway, else the first address of its subnet. IPv6 has no 127.0.0.1 that portmap can
 * forward from (::1 never leaves the host), so the IPv6 mapping is made on this address, one the
 * test itself created; the caller checks it really is on the host before connecting.
 */
export function ipv6HostAddress(net: NetworkConfigList): string | undefined {
  let root: unknown;
  try {
    root = JSON.parse(net.bytes);
  } catch {
    return undefined;
  }
  const range = ipamRanges(root).find((r) => cidrFamily(r.subnet) === 6);
  return range ? range.gateway ?? firstHost(range.subnet) : undefined;
}

const hostPort = (m: PortMapping) => (m.hostIP.includes(':') ? `[${m.hostIP}]:${m.hostPort}` : `${m.hostIP}:${m.hostPort}`);

/**
 * Each mapping's host address and port must reach a listener in the pod: start one in the
 * namespace, connect from the host, expect the token back. Only ever addresses of this host
 * that the caller chose (127.0.0.1, the network's own gateway) and the pod's own namespace.
 */
export async function checkPortmap(netns: string, mappings: PortMapping[], token: string): Promise<string> {
  const listener = await startNetnsListener(netns, mappings[0]!.containerPort, token);
  try {
    const answered: string[] = [];
    for (const mapping of mappings) {
      let answer: string;
      try {
        answer = await readBanner(mapping.hostIP, mapping.hostPort);
      } catch (err) {
        throw new Error(`${hostPort(mapping)} did not reach the listener on port ${mapping.containerPort} in netns ${netns}: ${(err as Error).message}`);
      }
      if (answer !== token) {
        throw new Error(`${hostPort(mapping)} answered ${JSON.stringify(answer.slice(0, 80))}, expected the listener's token ${JSON.stringify(token)} from netns ${netns}`);
      }
      answered.push(`${hostPort(mapping)} → ${netns}:${mapping.containerPort}`);
    }
    return `${answered.join(', ')} answered`;
  } finally {
    await listener.stop();
  }
}
