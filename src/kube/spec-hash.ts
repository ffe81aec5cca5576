import { createHash } from 'node:crypto';
import type { PodSpec } from '../pod/spec.js';

/** The label under which `podctl apply` records what it applied; equal hashes make a re-apply a no-op. */
export const APPLIED_HASH_LABEL = 'io.podctl.applied-hash';

/** JSON with object keys sorted and undefined dropped: one text per meaning. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** Canonical JSON text of a value: equal meanings, equal text. */
export const canonicalJson = (value: unknown): string => JSON.stringify(canonical(value));

/**
 * The hash of a normalised pod spec: the session (who applied it) and the hash label itself
 * are left out, and host ports are sorted (their order in a manifest means nothing).
 */
export function specHash(spec: PodSpec): string {
  const { session: _session, labels, portMappings, ...rest } = spec;
  const { [APPLIED_HASH_LABEL]: _hash, ...userLabels } = labels;
  const ports = [...portMappings].sort((a, b) => a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol) || (a.hostIP ?? '').localeCompare(b.hostIP ?? ''));
  const text = JSON.stringify(canonical({ ...rest, labels: userLabels, portMappings: ports }));
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The spec with its hash label set, as apply creates it. */
export function withAppliedHash(spec: PodSpec): PodSpec {
  return { ...spec, labels: { ...spec.labels, [APPLIED_HASH_LABEL]: specHash(spec) } };
}
