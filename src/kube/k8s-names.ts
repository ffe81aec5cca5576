/** The name rules of the Kubernetes API, so podctl rejects what an API server would reject. */
import { isDnsLabel, isDnsSubdomain } from '../util/validate.js';

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Label and annotation keys: `[prefix/]name`, prefix a DNS subdomain, name up to 63 characters. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return 'prefix must be a lowercase DNS subdomain';
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) {
    return 'must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !QUALIFIED_NAME_PART.test(value)) return 'must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

/** IANA service names (named container ports): a short DNS label with a letter and no "--". */
export const isPortName = (v: string): boolean => v.length <= 15 && isDnsLabel(v) && /[a-z]/.test(v) && !v.includes('--');

/** Kubernetes env names: any printable ASCII except "=" (C identifiers are the common case). */
export const isEnvName = (v: string): boolean => /^[^=\s]+$/.test(v) && /^[\x21-\x7e]+$/.test(v);
