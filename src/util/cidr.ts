/**
 * IP prefixes, IPv4 and IPv6 alike, through ip-cidr: what a prefix holds, whether two overlap,
 * how addresses order. Every layer asks here instead of parsing prefixes itself.
 */

import IPCIDR from 'ip-cidr';
import { ipFamily } from './ip.js';

/** 4 or 6 for `address/prefix` (host bits allowed, as in CNI configs and results), 0 otherwise. */
export function cidrFamily(value: unknown): 0 | 4 | 6 {
  if (typeof value !== 'string' || !IPCIDR.isValidCIDR(value)) return 0;
  return ipFamily(value.slice(0, value.indexOf('/')));
}

/** Whether the plain address `ip` lies inside `cidr`; false for anything that is not both valid and of one family. */
export function cidrContains(cidr: string, ip: string): boolean {
  const family = cidrFamily(cidr);
  return family !== 0 && ipFamily(ip) === family && new IPCIDR(cidr).contains(ip);
}

/** Two prefixes overlap when either holds the other's first address. */
export function cidrsOverlap(a: string, b: string): boolean {
  if (cidrFamily(a) === 0 || cidrFamily(a) !== cidrFamily(b)) return false;
  const first = (cidr: string) => new IPCIDR(cidr).start<string>();
  return cidrContains(a, first(b)) || cidrContains(b, first(a));
}

/** Orders two addresses of one family numerically (IPv6 too); addresses of different families compare equal. */
export function compareIp(a: string, b: string): number {
  if (ipFamily(a) === 0 || ipFamily(a) !== ipFamily(b)) return 0;
  const value = (ip: string) => BigInt(String(IPCIDR.formatIP(IPCIDR.createAddress(ip), { type: 'bigInteger' })));
  const d = value(a) - value(b);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/** `address/prefix` as given, a plain address as its host prefix (/32, /128), anything else undefined. */
export function toCidr(value: string): string | undefined {
  const family = ipFamily(value);
  if (family !== 0) return `${value}/${family === 4 ? 32 : 128}`;
  return cidrFamily(value) === 0 ? undefined : value;
}

/** The same network, host bits ignored: `10.0.0.7/24` is `10.0.0.0/24`, not `10.0.0.0/25`. */
export function sameNetwork(a: string, b: string): boolean {
  const [ca, cb] = [toCidr(a), toCidr(b)];
  if (!ca || !cb || cidrFamily(ca) !== cidrFamily(cb) || prefixOf(ca) !== prefixOf(cb)) return false;
  return new IPCIDR(ca).start<string>() === new IPCIDR(cb).start<string>();
}

/** The same address with the same prefix (`10.0.0.7/24` twice), however each is spelled. */
export function sameInterfaceAddress(a: string, b: string): boolean {
  const [ca, cb] = [toCidr(a), toCidr(b)];
  if (!ca || !cb || !sameNetwork(ca, cb)) return false;
  return compareIp(ca.slice(0, ca.indexOf('/')), cb.slice(0, cb.indexOf('/'))) === 0;
}

/** The first address after the network address (a bridge's default gateway), in compressed form. */
export function firstHost(cidr: string): string | undefined {
  if (cidrFamily(cidr) === 0) return undefined;
  const address = new IPCIDR(cidr).toArray({ from: 1, limit: 1 })[0];
  // ip-cidr writes IPv6 groups in full; `ip -j addr` and CNI results write them compressed.
  return address === undefined ? undefined : address.includes(':') ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

const prefixOf = (cidr: string): number => Number(cidr.slice(cidr.indexOf('/') + 1));

/** The network of a prefix, host bits cleared (`10.99.0.7/16` is `10.99.0.0/16`): the form nftables sets take. */
export function networkOf(cidr: string): string {
  return `${new IPCIDR(cidr).start<string>()}/${prefixOf(cidr)}`;
}
