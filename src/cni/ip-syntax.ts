import { isIP } from 'node:net';
import IPCIDR from 'ip-cidr';

/** 4 or 6 for a plain IP address (no prefix), 0 otherwise. */
export const ipFamily = (value: unknown): 0 | 4 | 6 => (typeof value === 'string' ? (isIP(value) as 0 | 4 | 6) : 0);

/** 4 or 6 for `address/prefix` (host bits allowed, as in CNI results), 0 otherwise. */
export function cidrFamily(value: unknown): 0 | 4 | 6 {
  if (typeof value !== 'string' || !IPCIDR.isValidCIDR(value)) return 0;
  return ipFamily(value.slice(0, value.indexOf('/')));
}

/** Whether the plain address `ip` lies inside `cidr` (both already valid). */
export function cidrContains(cidr: string, ip: string): boolean {
  return ipFamily(ip) === cidrFamily(cidr) && new IPCIDR(cidr).contains(ip);
}
