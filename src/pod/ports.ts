import { invalidArgument } from '../util/errors.js';
import { ipFamily, isIP } from '../util/ip.js';
import type { PortMapping } from './spec.js';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

function port(text: string, what: string, spec: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw invalidArgument(`-p ${spec}: ${what} "${text}" is not a port`, 'use a number from 1 to 65535, e.g. -p 8080:80');
  }
  return Number(text);
}

/** Parses docker's `-p [hostIP:]hostPort:containerPort[/tcp|udp|sctp]`. */
export function parsePortMapping(spec: string): PortMapping {
  let rest = spec;
  let protocol: PortMapping['protocol'] = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (!PROTOCOLS.has(proto)) throw invalidArgument(`-p ${spec}: protocol "${proto}" is not tcp, udp or sctp`, 'e.g. -p 5353:53/udp');
    protocol = proto as PortMapping['protocol'];
    rest = rest.slice(0, slash);
  }
  // An IPv6 host address is written in brackets: [::1]:8080:80
  let hostIP: string | undefined;
  const bracket = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (bracket) {
    hostIP = bracket[1];
    if (ipFamily(hostIP) !== 6) throw invalidArgument(`-p ${spec}: "[${hostIP}]" is not an IPv6 address (brackets hold IPv6 host addresses)`, 'e.g. -p [::1]:8080:80');
    rest = bracket[2] ?? '';
  }
  const parts = rest.split(':');
  if (!hostIP && parts.length === 3) hostIP = parts.shift();
  if (parts.length !== 2) {
    throw invalidArgument(`-p ${spec} is not [hostIP:]hostPort:containerPort[/protocol]`, 'e.g. -p 8080:80 or -p 127.0.0.1:8080:80/tcp');
  }
  if (hostIP !== undefined && !isIP(hostIP)) throw invalidArgument(`-p ${spec}: host address "${hostIP}" is not an IP address`, 'e.g. -p 127.0.0.1:8080:80');
  const mapping: PortMapping = {
    hostPort: port(parts[0] ?? '', 'host port', spec),
    containerPort: port(parts[1] ?? '', 'container port', spec),
    protocol,
  };
  if (hostIP !== undefined && hostIP !== '0.0.0.0') mapping.hostIP = hostIP;
  return mapping;
}

export function formatPortMapping(m: PortMapping): string {
  return `${m.hostIP ? m.hostIP + ':' : ''}${m.hostPort}->${m.containerPort}/${m.protocol}`;
}

/** Two mappings of one pod must not claim the same host port. */
export function assertDistinctHostPorts(mappings: PortMapping[]): void {
  const seen = new Set<string>();
  for (const m of mappings) {
    const key = `${m.hostIP ?? '*'}:${m.hostPort}/${m.protocol}`;
    const anyKey = `*:${m.hostPort}/${m.protocol}`;
    if (seen.has(key) || seen.has(anyKey) || (m.hostIP === undefined && [...seen].some((k) => k.endsWith(`:${m.hostPort}/${m.protocol}`)))) {
      throw invalidArgument(`host port ${m.hostPort}/${m.protocol} is mapped twice`, 'map each host port once');
    }
    seen.add(key);
  }
}
