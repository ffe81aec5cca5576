import { PodctlError } from '../../util/errors.js';
import { isSupportedVersion, resultFamily, SUPPORTED_VERSIONS } from '../versions.js';
import { cidrFamily } from '../../util/cidr.js';
import { ipFamily } from '../../util/ip.js';
import type { CniResult } from './types.js';

/**
 * Checks a result (from a plugin's stdout or the cache) against its version's shape and
 * returns it typed. Unknown fields are kept: the runtime passes results through. A result
 * without `cniVersion` takes `defaultVersion` (the config's), as libcni does.
 */
export function parseResult(value: unknown, defaultVersion?: string): CniResult {
  const obj = { ...asObject(value, '') };
  if (obj.cniVersion === undefined && defaultVersion !== undefined) obj.cniVersion = defaultVersion;
  const version = obj.cniVersion;
  if (!isSupportedVersion(version)) {
    fail('cniVersion', `${JSON.stringify(version)} is not a supported version (${SUPPORTED_VERSIONS.join(', ')})`);
  }
  if (obj.dns !== undefined) checkDns(obj.dns);
  if (resultFamily(version) === 'v02') {
    for (const family of [4, 6] as const) {
      const key = `ip${family}`;
      if (obj[key] === undefined) continue;
      const ipc = asObject(obj[key], key);
      if (cidrFamily(ipc.ip) !== family) fail(`${key}.ip`, `${JSON.stringify(ipc.ip)} is not an IPv${family} CIDR`);
      if (ipc.gateway !== undefined && ipFamily(ipc.gateway) !== family) fail(`${key}.gateway`, `${JSON.stringify(ipc.gateway)} is not an IPv${family} address`);
      checkRoutes(ipc.routes, `${key}.routes`);
    }
    return obj as unknown as CniResult;
  }
  const interfaces = optionalArray(obj.interfaces, 'interfaces');
  interfaces.forEach((intf, i) => checkInterface(intf, `interfaces[${i}]`));
  optionalArray(obj.ips, 'ips').forEach((raw, i) => {
    const path = `ips[${i}]`;
    const ipc = asObject(raw, path);
    const family = cidrFamily(ipc.address);
    if (family === 0) fail(`${path}.address`, `${JSON.stringify(ipc.address)} is not a CIDR`);
    if (resultFamily(version) === 'v04' && ipc.version !== String(family)) {
      fail(`${path}.version`, `${JSON.stringify(ipc.version)} does not match address ${ipc.address as string}`);
    }
    if (ipc.gateway !== undefined && ipFamily(ipc.gateway) !== family) fail(`${path}.gateway`, `${JSON.stringify(ipc.gateway)} is not an IPv${family} address`);
    if (ipc.interface !== undefined) {
      const index = ipc.interface;
      if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= interfaces.length) {
        fail(`${path}.interface`, `${JSON.stringify(index)} is not an index into interfaces (length ${interfaces.length})`);
      }
    }
  });
  checkRoutes(obj.routes, 'routes');
  return obj as unknown as CniResult;
}

function checkInterface(raw: unknown, path: string): void {
  const intf = asObject(raw, path);
  if (typeof intf.name !== 'string' || intf.name === '') fail(`${path}.name`, 'must be a non-empty string');
  for (const key of ['mac', 'sandbox', 'socketPath', 'pciID']) optionalString(intf[key], `${path}.${key}`);
  optionalNumber(intf.mtu, `${path}.mtu`);
}

function checkRoutes(raw: unknown, path: string): void {
  optionalArray(raw, path).forEach((r, i) => {
    const route = asObject(r, `${path}[${i}]`);
    const family = cidrFamily(route.dst);
    if (family === 0) fail(`${path}[${i}].dst`, `${JSON.stringify(route.dst)} is not a CIDR`);
    if (route.gw !== undefined && ipFamily(route.gw) !== family) fail(`${path}[${i}].gw`, `${JSON.stringify(route.gw)} is not an IPv${family} address`);
    for (const key of ['mtu', 'advmss', 'priority', 'table', 'scope']) optionalNumber(route[key], `${path}[${i}].${key}`);
  });
}

function checkDns(raw: unknown): void {
  const dns = asObject(raw, 'dns');
  optionalString(dns.domain, 'dns.domain');
  for (const key of ['nameservers', 'search', 'options']) {
    optionalArray(dns[key], `dns.${key}`).forEach((v, i) => {
      if (typeof v !== 'string') fail(`dns.${key}[${i}]`, 'must be a string');
    });
  }
}

function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function optionalArray(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, 'must be a list');
  return value;
}

function optionalString(value: unknown, path: string): void {
  if (value !== undefined && typeof value !== 'string') fail(path, 'must be a string');
}

function optionalNumber(value: unknown, path: string): void {
  if (value !== undefined && typeof value !== 'number') fail(path, 'must be a number');
}

function fail(path: string, problem: string): never {
  throw new PodctlError('INVALID_ARGUMENT', `invalid CNI result: ${path ? path + ': ' : ''}${problem}`, {
    details: { field: path },
  });
}
