import type { Listener } from '../types.js';

/**
 * Parses `ss -Hlnptu` (listening TCP and bound UDP sockets with their processes): Netid,
 * State, Recv-Q, Send-Q, Local Address:Port, Peer Address:Port, Process.
 */
export function parseListeners(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [netid, , , , local] = fields;
    if ((netid !== 'tcp' && netid !== 'udp') || !local) continue;
    const colon = local.lastIndexOf(':');
    const port = Number(local.slice(colon + 1));
    if (colon < 0 || !Number.isInteger(port)) continue;
    const address = local.slice(0, colon).replace(/%.*$/, '');
    const process = /users:\(\("([^"]+)"/.exec(line)?.[1];
    out.push({ protocol: netid, address, port, ...(process ? { process } : {}) });
  }
  return out;
}
