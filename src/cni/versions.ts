/** The CNI spec versions podctl's runtime speaks, oldest first. */
export const SUPPORTED_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];

/** The newest version this runtime implements (sent with VERSION probes). */
export const CURRENT_VERSION: CniVersion = '1.1.0';

/** What plugins built against pre-0.2 skel assume when a config has no cniVersion. */
export const IMPLICIT_VERSION: CniVersion = '0.1.0';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function isSemver(value: string): boolean {
  return SEMVER.test(value);
}

export function isSupportedVersion(value: unknown): value is CniVersion {
  return typeof value === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(value);
}

/** Orders two `x.y.z` versions; callers check `isSemver` first. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export const versionAtLeast = (version: string, min: string): boolean => compareVersions(version, min) >= 0;

/** Result shape families: 0.1.0/0.2.0 (`ip4`/`ip6`), 0.3.x/0.4.0 (`ips[].version`), 1.x. */
export type ResultFamily = 'v02' | 'v04' | 'v1';

export function resultFamily(version: CniVersion): ResultFamily {
  if (version === '0.1.0' || version === '0.2.0') return 'v02';
  if (version === '1.0.0' || version === '1.1.0') return 'v1';
  return 'v04';
}
