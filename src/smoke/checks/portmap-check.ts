import type { NetworkConfigList } from '../../cni/index.js';
import { readBanner, startNetnsListener } from '../host/listener.js';

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
 * 127.0.0.1:hostPort must reach a listener in the pod: start one in the namespace, connect
 * from the host, expect the token back. Only ever 127.0.0.1 and the pod's own namespace.
 */
export async function checkPortmap(netns: string, mapping: PortMapping, token: string): Promise<string> {
  const listener = await startNetnsListener(netns, mapping.containerPort, token);
  try {
    let answer: string;
    try {
      answer = await readBanner('127.0.0.1', mapping.hostPort);
    } catch (err) {
      throw new Error(`127.0.0.1:${mapping.hostPort} did not reach the listener on port ${mapping.containerPort} in netns ${netns}: ${(err as Error).message}`);
    }
    if (answer !== token) {
      throw new Error(`127.0.0.1:${mapping.hostPort} answered ${JSON.stringify(answer.slice(0, 80))}, expected the listener's token ${JSON.stringify(token)} from netns ${netns}`);
    }
    return `127.0.0.1:${mapping.hostPort} → ${netns}:${mapping.containerPort} answered`;
  } finally {
    await listener.stop();
  }
}
