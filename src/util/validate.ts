/**
 * Checks for names that become paths, env values, labels or container names. Each failure is
 * one line that says which value, why, and what would be accepted.
 */

import { invalidArgument } from './errors.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label (RFC 1123 as Kubernetes applies it): at most 63 of a-z, 0-9 and "-". */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** A DNS-1123 subdomain: dot-joined labels, at most 253 characters. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every(isDnsLabel);
}

/** A DNS-1123 label: pod names, namespaces, container names, hostnames. */
export function validateDnsLabel(value: string, what: string): string {
  if (value.length === 0) throw invalidArgument(`${what} is empty`, 'give a lowercase name like web-1');
  if (value.length > 63) {
    throw invalidArgument(`${what} "${value.slice(0, 20)}..." is ${value.length} characters long`, 'use at most 63 characters');
  }
  if (!DNS_LABEL.test(value)) {
    throw invalidArgument(
      `${what} "${value}" is not a DNS-1123 label`,
      'use lowercase letters, digits and "-", starting and ending with a letter or digit',
    );
  }
  return value;
}

/** A hostname may be a dotted DNS-1123 subdomain. */
export function validateHostname(value: string): string {
  if (!isDnsSubdomain(value)) {
    throw invalidArgument(`hostname "${value}" is not a valid DNS name`, 'use lowercase labels of letters, digits and "-" joined by "."');
  }
  return value;
}

/** A name under /var/run/netns: one path component. */
export function validateNetnsName(value: string): string {
  if (value === '' || value === '.' || value === '..' || value.includes('/') || value.includes('\0') || value.length > 255) {
    throw invalidArgument(`network namespace name "${value}" is not a single file name`, 'use letters, digits, "-", "_" and "."');
  }
  return value;
}

/** `KEY=VALUE` pairs from flags (labels, env, CNI args). */
export function parseKeyValue(text: string, what: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw invalidArgument(`${what} "${text}" is not KEY=VALUE`, `write it as ${what === 'env' ? 'NAME=value' : 'key=value'}`);
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (/[\s\0]/.test(key)) throw invalidArgument(`${what} key "${key}" contains white space`, 'use a key without spaces');
  if (value.includes('\0') || value.includes('\n')) throw invalidArgument(`${what} "${key}" has a value with a newline or NUL`, 'use a single-line value');
  return [key, value];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseEnv(text: string): [string, string] {
  const [key, value] = parseKeyValue(text, 'env');
  if (!ENV_NAME.test(key)) throw invalidArgument(`env name "${key}" is not valid`, 'start with a letter or "_" and use letters, digits and "_"');
  return [key, value];
}

/** Docker label keys: printable, no spaces; values single-line. */
export function parseLabel(text: string): [string, string] {
  const [key, value] = parseKeyValue(text, 'label');
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key) || key.length > 253) {
    throw invalidArgument(`label key "${key}" is not valid`, 'use letters, digits, ".", "-", "_" and "/"');
  }
  return [key, value];
}

/** Parses a positive integer flag ("--tail 20", "--timeout 30"). */
export function parsePositiveInt(text: string, what: string, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (!/^\d+$/.test(text)) throw invalidArgument(`${what} "${text}" is not a whole number`, `give a number from ${min} to ${max}`);
  const n = Number(text);
  if (n < min || n > max) throw invalidArgument(`${what} ${n} is out of range`, `give a number from ${min} to ${max}`);
  return n;
}
