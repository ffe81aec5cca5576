import { BlockList, isIP } from 'node:net';

/** A parsed `address/prefix` (host bits allowed, as CNI configs and results write them). */
export interface Cidr {
  address: string;
  prefix: number;
  family: 4 | 6;
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (slash >= 0 && !/^\d+$/.test(text.slice(slash + 1)))) return undefined;
  return { address, prefix, family: family as 4 | 6 };
}

const familyName = (f: 4 | 6) => (f === 4 ? 'ipv4' : 'ipv6');

/** Whether `ip` (a plain address) lies inside `cidr`. */
export function cidrHas(cidr: Cidr, ip: string): boolean {
  const family = isIP(ip);
  if (family !== cidr.family) return false;
  const list = new BlockList();
  list.addSubnet(cidr.address, cidr.prefix, familyName(cidr.family));
  return list.check(ip, familyName(cidr.family));
}

/** Two prefixes overlap when the shorter one holds the longer one's address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  return a.prefix <= b.prefix ? cidrHas(a, b.address) : cidrHas(b, a.address);
}

/** The same network (host bits ignored): `10.0.0.7/24` equals `10.0.0.0/24`. */
export function sameNetwork(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.prefix === b.prefix && cidrHas(a, b.address);
}

