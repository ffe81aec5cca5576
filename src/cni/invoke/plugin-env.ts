import { invalidArgument } from '../../util/errors.js';
import type { RuntimeConf } from '../types.js';
import type { CniVerb } from '../errors.js';

const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function validateContainerId(id: string): void {
  if (!CONTAINER_ID.test(id)) {
    throw invalidArgument(`invalid container id ${JSON.stringify(id)}: use letters, digits, '_', '.', '-', starting with a letter or digit`);
  }
}

/** Linux interface-name rules as the spec states them. */
export function validateIfName(name: string): void {
  const problem =
    name === '' ? 'is empty'
    : Buffer.byteLength(name) > 15 ? 'is longer than 15 bytes'
    : name === '.' || name === '..' ? 'may not be "." or ".."'
    : /[/:\s]/.test(name) ? "may not contain '/', ':' or whitespace"
    : undefined;
  if (problem) throw invalidArgument(`invalid interface name ${JSON.stringify(name)}: it ${problem}`);
}

/** `IgnoreUnknown=1;K=V;...` (IgnoreUnknown first unless the caller sets it). */
export function formatCniArgs(args: ReadonlyArray<readonly [string, string]> = []): string {
  for (const [key, value] of args) {
    if (key === '' || /[;=]/.test(key)) throw invalidArgument(`invalid CNI_ARGS key ${JSON.stringify(key)}: it must be non-empty without ';' or '='`);
    if (/[;=]/.test(value)) throw invalidArgument(`invalid CNI_ARGS value ${JSON.stringify(value)} for ${key}: it may not contain ';' or '='`);
  }
  const pairs = args.some(([key]) => key === 'IgnoreUnknown') ? [...args] : [['IgnoreUnknown', '1'] as const, ...args];
  return pairs.map(([key, value]) => `${key}=${value}`).join(';');
}

export interface EnvBase {
  cniPath: readonly string[];
  /** The caller's PATH, so plugins find iptables, ip, ... */
  hostPath?: string;
}

/** The environment of an ADD / CHECK / DEL: the six CNI_* variables plus PATH. */
export function attachmentEnv(verb: 'ADD' | 'CHECK' | 'DEL', rt: RuntimeConf, base: EnvBase): Record<string, string> {
  return {
    CNI_COMMAND: verb,
    CNI_CONTAINERID: rt.containerId,
    CNI_NETNS: rt.netns,
    CNI_IFNAME: rt.ifName,
    CNI_ARGS: formatCniArgs(rt.args),
    CNI_PATH: base.cniPath.join(':'),
    PATH: base.hostPath || DEFAULT_PATH,
  };
}

/**
 * The environment of a verb without an attachment. VERSION also carries dummy NETNS and
 * IFNAME values because plugins built on old skel versions check them before dispatching.
 */
export function verbEnv(verb: Exclude<CniVerb, 'ADD' | 'CHECK' | 'DEL'>, base: EnvBase): Record<string, string> {
  return {
    CNI_COMMAND: verb,
    ...(verb === 'VERSION' && { CNI_NETNS: 'dummy', CNI_IFNAME: 'dummy' }),
    CNI_PATH: base.cniPath.join(':'),
    PATH: base.hostPath || DEFAULT_PATH,
  };
}
