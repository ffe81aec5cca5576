import { isIP } from 'node:net';
import { invalidArgument } from '../util/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = '127.0.0.1:6443';

/** `127.0.0.1:6443`, `[::1]:6443`: an IP address and a port. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !isIP(host) || !(port >= 1 && port <= 65535)) throw invalidArgument(`listen address "${text}" is not IP:PORT`, `e.g. ${DEFAULT_LISTEN}`);
  return { host, port };
}

/** Whether only this host can reach the address (127.0.0.0/8, ::1). */
export const isLoopback = (host: string): boolean => host === '::1' || /^127\./.test(host);

/** The address a client on this host dials: loopback for a wildcard listen address. */
export function clientHost(host: string): string {
  const dial = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return isIP(dial) === 6 ? `[${dial}]` : dial;
}
