import { configError } from '../errors.js';
import { cidrContains, cidrFamily } from '../../util/cidr.js';
import { ipFamily } from '../../util/ip.js';

/**
 * Checks the address fields of an `ipam` section that host-local, static and most IPAM
 * plugins share: subnets and routes are CIDRs, gateways and range bounds are addresses
 * inside their subnet. Fields it does not know are left to the plugin.
 */
export function validateIpam(ipam: unknown, path: string, file: string | undefined): void {
  if (ipam === undefined) return;
  const obj = objectAt(ipam, path, file);
  if (obj.type !== undefined && (typeof obj.type !== 'string' || obj.type === '')) {
    throw configError(file, `${path}.type`, `${JSON.stringify(obj.type)} is not a plugin name`, obj.type);
  }
  checkRange(obj, path, file, false);
  if (obj.ranges !== undefined) {
    listAt(obj.ranges, `${path}.ranges`, file).forEach((set, i) => {
      listAt(set, `${path}.ranges[${i}]`, file).forEach((range, j) => {
        const at = `${path}.ranges[${i}][${j}]`;
        checkRange(objectAt(range, at, file), at, file, true);
      });
    });
  }
  if (obj.routes !== undefined) prefixesWithGateway(obj.routes, `${path}.routes`, file, 'dst', 'gw');
  if (obj.addresses !== undefined) prefixesWithGateway(obj.addresses, `${path}.addresses`, file, 'address', 'gateway');
}

/** subnet / rangeStart / rangeEnd / gateway, either at the top of `ipam` or inside `ranges`. */
function checkRange(range: Record<string, unknown>, path: string, file: string | undefined, subnetRequired: boolean): void {
  const { subnet } = range;
  if (subnet === undefined) {
    if (subnetRequired) throw configError(file, `${path}.subnet`, 'is missing');
  } else if (cidrFamily(subnet) === 0) {
    throw configError(file, `${path}.subnet`, `${JSON.stringify(subnet)} is not a valid subnet (CIDR)`, subnet);
  }
  for (const key of ['rangeStart', 'rangeEnd', 'gateway']) {
    const value = range[key];
    if (value === undefined) continue;
    if (ipFamily(value) === 0) throw configError(file, `${path}.${key}`, `${JSON.stringify(value)} is not an IP address`, value);
    if (typeof subnet === 'string' && !cidrContains(subnet, value as string)) {
      throw configError(file, `${path}.${key}`, `${value as string} is not inside subnet ${subnet}`, value);
    }
  }
}

function objectAt(value: unknown, path: string, file: string | undefined): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(file, path, `must be a JSON object, got ${JSON.stringify(value)}`, value);
  }
  return value as Record<string, unknown>;
}

function listAt(value: unknown, path: string, file: string | undefined): unknown[] {
  if (!Array.isArray(value)) throw configError(file, path, `must be a list, got ${JSON.stringify(value)}`, value);
  return value;
}

/** Entries of routes (dst, gw) and addresses (address, gateway): a CIDR and, if given, a gateway of its family. */
function prefixesWithGateway(list: unknown, path: string, file: string | undefined, prefixKey: string, gatewayKey: string): void {
  listAt(list, path, file).forEach((raw, i) => {
    const at = `${path}[${i}]`;
    const entry = objectAt(raw, at, file);
    const family = cidrFamily(entry[prefixKey]);
    if (family === 0) throw configError(file, `${at}.${prefixKey}`, `${JSON.stringify(entry[prefixKey])} is not a CIDR`, entry[prefixKey]);
    if (entry[gatewayKey] !== undefined && ipFamily(entry[gatewayKey]) !== family) {
      throw configError(file, `${at}.${gatewayKey}`, `${JSON.stringify(entry[gatewayKey])} is not an IPv${family} address`, entry[gatewayKey]);
    }
  });
}
