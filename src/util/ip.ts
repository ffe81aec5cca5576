/**
 * IP addresses, IPv4 and IPv6 alike, as node:net reads them; prefixes are cidr.ts's (ip-cidr,
 * kept apart so that commands that only check an address do not load it).
 */

import { isIP as addressFamily } from 'node:net';

/** 4 or 6 for a plain IP address (no prefix), 0 otherwise. */
export const ipFamily = (value: unknown): 0 | 4 | 6 => (typeof value === 'string' ? (addressFamily(value) as 0 | 4 | 6) : 0);

export const isIP = (value: string): boolean => ipFamily(value) !== 0;
