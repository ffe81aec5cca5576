import { randomBytes } from 'node:crypto';
import { invalidArgument } from '../util/errors.js';
import { parseEnv, parseLabel, parsePositiveInt } from '../util/validate.js';
import { parsePortMapping } from '../pod/ports.js';
import { isPodctlLabelKey } from '../pod/labels.js';
import { DEFAULT_NAMESPACE, DEFAULT_STOP_TIMEOUT, type ContainerSpec, type PodSpec, type RestartPolicy } from '../pod/spec.js';

export interface SpecFlags {
  image?: string[];
  container?: string[];
  command?: string[];
  name?: string;
  network?: string[];
  publish?: string[];
  env?: string[];
  label?: string[];
  hostname?: string;
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  sharePid?: boolean;
  restart?: string;
  pauseImage?: string;
  stopTimeout?: string;
  namespace?: string;
  session?: string;
  bandwidthIngress?: string;
  bandwidthEgress?: string;
}

/** "10M" → 10_000_000 bits per second (k, M, G as Kubernetes' bandwidth annotations). */
export function parseRate(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKMG]?)$/.exec(text);
  const scale: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };
  const value = m ? Math.round(Number(m[1]) * (scale[m[2] ?? ''] ?? 1)) : NaN;
  if (!m || !(value >= 1000)) throw invalidArgument(`${flag} "${text}" is not a rate of at least 1k bits/s`, `e.g. ${flag} 10M`);
  return value;
}

/** A --label: podctl's own io.podctl.* keys are refused (podctl layers set those themselves). */
function parseUserLabel(text: string): [string, string] {
  const [key, value] = parseLabel(text);
  if (isPodctlLabelKey(key)) throw invalidArgument(`label ${key} is reserved for podctl's own bookkeeping`, 'use a label key outside io.podctl.');
  return [key, value];
}

/** "nginx" from "nginx", "app" from "registry:5000/team/app:1.2@sha256:...". */
export function containerNameFromImage(image: string): string {
  const last = image.split('@')[0]!.split('/').pop() ?? image;
  const repo = last.split(':')[0] ?? last;
  const name = repo.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return name === '' ? 'app' : name;
}

/** Docker-style flags to a pod spec; networks and pause image are filled in by the caller. */
export function specFromFlags(flags: SpecFlags, command: string[], defaults: { network: string; pauseImage: string }): PodSpec {
  const env = Object.fromEntries((flags.env ?? []).map(parseEnv));
  const containers: ContainerSpec[] = [];
  const taken = new Map<string, number>();
  const add = (name: string, image: string) => {
    const count = (taken.get(name) ?? 0) + 1;
    taken.set(name, count);
    containers.push({ name: count === 1 ? name : `${name}-${count}`, image, env: { ...env } });
  };
  for (const image of flags.image ?? []) add(containerNameFromImage(image), image);
  for (const entry of flags.container ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1) throw invalidArgument(`--container "${entry}" is not NAME=IMAGE`, 'e.g. --container web=nginx');
    add(entry.slice(0, eq), entry.slice(eq + 1));
  }
  if (containers.length === 0) throw invalidArgument('no container given', 'add --image IMAGE (e.g. --image nginx) or --container NAME=IMAGE');
  for (const entry of flags.command ?? []) {
    const [name, words] = parseContainerCommand(entry);
    const target = containers.find((c) => c.name === name);
    if (!target) throw invalidArgument(`--command ${name}=...: the pod has no container ${name}`, `its containers are: ${containers.map((c) => c.name).join(', ')}`);
    target.args = words;
  }
  if (command.length > 0) {
    if (containers.length > 1) throw invalidArgument('a command after -- needs a pod with exactly one container', 'give one --image, or use podctl apply with a manifest');
    containers[0]!.args = command;
  }
  const dns = flags.dns || flags.dnsSearch || flags.dnsOption ? { servers: flags.dns ?? [], searches: flags.dnsSearch ?? [], options: flags.dnsOption ?? [] } : undefined;
  return {
    name: flags.name ?? generatedName(containers[0]!.name),
    namespace: flags.namespace ?? DEFAULT_NAMESPACE,
    ...(flags.hostname !== undefined ? { hostname: flags.hostname } : {}),
    labels: Object.fromEntries((flags.label ?? []).map(parseUserLabel)),
    annotations: {},
    networks: flags.network && flags.network.length > 0 ? flags.network : [defaults.network],
    portMappings: (flags.publish ?? []).map(parsePortMapping),
    ...(dns ? { dns } : {}),
    hostAliases: [],
    sharePid: flags.sharePid ?? false,
    restartPolicy: (flags.restart ?? 'no') as RestartPolicy,
    pauseImage: flags.pauseImage ?? defaults.pauseImage,
    initContainers: [],
    containers,
    stopTimeout: flags.stopTimeout !== undefined ? parsePositiveInt(flags.stopTimeout, '--stop-timeout', { min: 0, max: 3600 }) : DEFAULT_STOP_TIMEOUT,
    ...(flags.session ? { session: flags.session } : {}),
    ...(flags.bandwidthIngress || flags.bandwidthEgress
      ? {
          bandwidth: {
            ...(flags.bandwidthIngress ? { ingressRate: parseRate(flags.bandwidthIngress, '--bandwidth-ingress') } : {}),
            ...(flags.bandwidthEgress ? { egressRate: parseRate(flags.bandwidthEgress, '--bandwidth-egress') } : {}),
          },
        }
      : {}),
  };
}

/** `NAME=["sh","-c","x"]` (JSON array) or `NAME=sleep 3600` (split on spaces). */
export function parseContainerCommand(entry: string): [string, string[]] {
  const eq = entry.indexOf('=');
  const name = entry.slice(0, eq);
  const text = entry.slice(eq + 1).trim();
  if (eq <= 0 || text === '') throw invalidArgument(`--command "${entry}" is not NAME=COMMAND`, 'e.g. --command side=\'["sleep","3600"]\' or --command side="sleep 3600"');
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((w) => typeof w === 'string')) {
      throw invalidArgument(`--command ${name}: ${text} is not a JSON array of strings`, 'e.g. --command side=\'["sh","-c","sleep 3600"]\'');
    }
    return [name, parsed as string[]];
  }
  return [name, text.split(/\s+/)];
}

/** "nginx-7f3a2c": the first container's name and a short random suffix, as podman does. */
function generatedName(base: string): string {
  return `${base.slice(0, 50)}-${randomBytes(3).toString('hex')}`;
}
