import { PodctlError } from '../../util/errors.js';
import { resultFamily, type CniVersion } from '../versions.js';
import { cidrFamily } from '../../util/cidr.js';
import type { CniResult, DnsConf, Interface, IpConfig02, Result02, Result04, Result1, Route } from './types.js';

/**
 * Converts a result to another spec version. Every conversion goes through the 1.x shape:
 * up from 0.1.0/0.2.0 (`ip4`/`ip6` become `ips`, their routes merge), down to 0.3.x/0.4.0
 * (`ips[].version` added) and down to 0.1.0/0.2.0 (first IPv4 and first IPv6 kept, routes
 * sorted by family; an error when no address is left). Fields a lower version does not have
 * are dropped on the way down.
 */
export function convertResult(result: CniResult, to: CniVersion): CniResult {
  if (result.cniVersion === to) return result;
  const v1 = toV1Shape(result);
  switch (resultFamily(to)) {
    case 'v1':
      return { ...v1, cniVersion: to as Result1['cniVersion'] };
    case 'v04':
      return toV04(v1, to as Result04['cniVersion']);
    case 'v02':
      return toV02(v1, to as Result02['cniVersion']);
  }
}

/** A normalised 1.x view of any result (1.1.0 stays 1.1.0, everything else becomes 1.0.0). */
export function toCurrentResult(result: CniResult): Result1 {
  return convertResult(result, result.cniVersion === '1.1.0' ? '1.1.0' : '1.0.0') as Result1;
}

function toV1Shape(result: CniResult): Result1 {
  const family = resultFamily(result.cniVersion);
  if (family === 'v1') return result as Result1;
  if (family === 'v04') {
    const r = result as Result04;
    return {
      cniVersion: '1.0.0',
      ...(r.interfaces && { interfaces: r.interfaces.map((i) => ({ ...i })) }),
      ...(r.ips && { ips: r.ips.map(({ version: _family, ...ip }) => ip) }),
      ...(r.routes && { routes: r.routes.map((route) => ({ ...route })) }),
      ...(r.dns && { dns: copyDns(r.dns) }),
    };
  }
  const r = result as Result02;
  const ips = [r.ip4, r.ip6].filter((ip): ip is IpConfig02 => ip !== undefined);
  const routes = ips.flatMap((ip) => ip.routes ?? []).map((route) => ({ ...route }));
  return {
    cniVersion: '1.0.0',
    ...(ips.length > 0 && { ips: ips.map((ip) => ({ address: ip.ip, ...(ip.gateway && { gateway: ip.gateway }) })) }),
    ...(routes.length > 0 && { routes }),
    ...(r.dns && { dns: copyDns(r.dns) }),
  };
}

function toV04(r: Result1, cniVersion: Result04['cniVersion']): Result04 {
  return {
    cniVersion,
    ...(r.interfaces && { interfaces: r.interfaces.map(basicInterface) }),
    ...(r.ips && {
      ips: r.ips.map((ip) => ({ version: cidrFamily(ip.address) === 6 ? ('6' as const) : ('4' as const), ...ip })),
    }),
    ...(r.routes && { routes: r.routes.map(basicRoute) }),
    ...(r.dns && { dns: copyDns(r.dns) }),
  };
}

function toV02(r: Result1, cniVersion: Result02['cniVersion']): Result02 {
  const firstOf = (family: 4 | 6): IpConfig02 | undefined => {
    const ip = r.ips?.find((candidate) => cidrFamily(candidate.address) === family);
    if (!ip) return undefined;
    const routes = (r.routes ?? []).filter((route) => cidrFamily(route.dst) === family).map(basicRoute);
    return { ip: ip.address, ...(ip.gateway && { gateway: ip.gateway }), ...(routes.length > 0 && { routes }) };
  };
  const ip4 = firstOf(4);
  const ip6 = firstOf(6);
  if (!ip4 && !ip6) {
    throw new PodctlError('INVALID_ARGUMENT', `cannot convert CNI result ${r.cniVersion} to ${cniVersion}: it has no IP address, and ${cniVersion} results need one`);
  }
  return { cniVersion, ...(ip4 && { ip4 }), ...(ip6 && { ip6 }), ...(r.dns && { dns: copyDns(r.dns) }) };
}

const basicInterface = ({ name, mac, sandbox }: Interface): Interface => ({
  name,
  ...(mac !== undefined && { mac }),
  ...(sandbox !== undefined && { sandbox }),
});

const basicRoute = ({ dst, gw }: Route): Route => ({ dst, ...(gw !== undefined && { gw }) });

const copyDns = (dns: DnsConf): DnsConf => JSON.parse(JSON.stringify(dns)) as DnsConf;
