import { BlockList, isIP } from 'node:net';

// Node's own address parser and BlockList, not an IP library: loading one (ip-cidr and its
// BigInteger dependency) cost ~7 ms of every command that reads a network config.

/** 4 or 6 for a plain IP address (no prefix), 0 otherwise. */
export const ipFamily = (value: unknown): 0 | 4 | 6 => (typeof value === 'string' ? (isIP(value) as 0 | 4 | 6) : 0);

/** The address and prefix length of `address/prefix`, or undefined when it is not one. */
function splitCidr(value: unknown): { address: string; prefix: number; family: 4 | 6 } | undefined {
  if (typeof value !== 'string') return undefined;
  const slash = value.indexOf('/');
  const family = ipFamily(value.slice(0, slash));
  const prefixText = value.slice(slash + 1);
  if (slash < 0 || family === 0 || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= (family === 4 ? 32 : 128) ? { address: value.slice(0, slash), prefix, family } : undefined;
}

/** 4 or 6 for `address/prefix` (host bits allowed, as in CNI results), 0 otherwise. */
export function cidrFamily(value: unknown): 0 | 4 | 6 {
  return splitCidr(value)?.family ?? 0;
}

/** Whether the plain address `ip` lies inside `cidr` (both already valid). */
export function cidrContains(cidr: string, ip: string): boolean {
  const net = splitCidr(cidr);
  if (!net || ipFamily(ip) !== net.family) return false;
  const type = net.family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  list.addSubnet(net.address, net.prefix, type);
  return list.check(ip, type);
}
