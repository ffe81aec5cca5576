import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { invalidArgument } from '../util/errors.js';
import type { Upstream } from './forwarder.js';

/** systemd-resolved's stub listener: a host whose resolv.conf names it hides its real servers here. */
const RESOLVED_STUB = /^127\.0\.0\.5[34]$/;
export const RESOLVED_UPSTREAMS = '/run/systemd/resolve/resolv.conf';

export function nameservers(resolvConf: string): string[] {
  return resolvConf
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([key, value]) => key === 'nameserver' && value !== undefined && isIP(value.split('%')[0]!) !== 0)
    .map(([, value]) => value!);
}

/**
 * `$PODCTL_DNS_UPSTREAM`: comma-separated `ip`, `ip:port` or `[ipv6]:port`. Bad input is one
 * clear error, before anything starts.
 */
export function parseUpstreams(text: string): Upstream[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(item) ?? (isIP(item) ? [item, item, undefined] : /^([^:]+):(\d+)$/.exec(item));
      const host = m?.[1];
      const port = m?.[2] === undefined ? 53 : Number(m[2]);
      if (!host || isIP(host) === 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw invalidArgument(`PODCTL_DNS_UPSTREAM: "${item}" is not an address or address:port`, 'e.g. PODCTL_DNS_UPSTREAM=192.0.2.53 or 192.0.2.53:5353,[2001:db8::53]:53');
      }
      return { host, port };
    });
}

/**
 * The resolvers the cluster DNS forwards to: `$PODCTL_DNS_UPSTREAM`, else the host's
 * resolv.conf; when that names only systemd-resolved's stub (127.0.0.53), the servers
 * resolved itself uses, which it writes to /run/systemd/resolve/resolv.conf. Other loopback
 * resolvers (dnsmasq, unbound on 127.0.0.1) are kept: the server runs on the host and reaches them.
 */
export function chooseUpstreams(env: string | undefined, hostResolvConf: string, resolvedResolvConf: string | undefined): Upstream[] {
  if (env !== undefined && env.trim() !== '') return parseUpstreams(env);
  const host = nameservers(hostResolvConf);
  const usable = host.filter((s) => !RESOLVED_STUB.test(s));
  const servers = usable.length > 0 ? usable : nameservers(resolvedResolvConf ?? '').filter((s) => !RESOLVED_STUB.test(s));
  return servers.map((s) => ({ host: s.split('%')[0]!, port: 53 }));
}

export async function hostUpstreams(env = process.env.PODCTL_DNS_UPSTREAM, resolvConf = '/etc/resolv.conf', resolved = RESOLVED_UPSTREAMS): Promise<Upstream[]> {
  const [host, stub] = await Promise.all([readFile(resolvConf, 'utf8').catch(() => ''), readFile(resolved, 'utf8').catch(() => undefined)]);
  return chooseUpstreams(env, host, stub);
}
