import { invalidArgument } from '../util/errors.js';
import { isIP } from '../util/ip.js';
import { parseEnv, parseLabel } from '../util/validate.js';
import { parsePortMapping } from '../pod/ports.js';
import { buildPodSpec, type ContainerInput, type SpecDefaults } from '../pod/build-spec.js';
import type { PodSpec, RestartPolicy } from '../pod/spec.js';

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
  /** Seconds (commander parsed it). */
  stopTimeout?: number;
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

/** Docker-style flags to a pod spec (buildPodSpec fills in and checks the rest); `command` is the words after --. */
export function specFromFlags(flags: SpecFlags, command: string[], defaults: SpecDefaults): PodSpec {
  const env = Object.fromEntries((flags.env ?? []).map(parseEnv));
  const containers: ContainerInput[] = (flags.image ?? []).map((image) => ({ image, env }));
  for (const entry of flags.container ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1) throw invalidArgument(`--container "${entry}" is not NAME=IMAGE`, 'e.g. --container web=nginx');
    containers.push({ name: entry.slice(0, eq), image: entry.slice(eq + 1), env });
  }
  if (containers.length === 0) throw invalidArgument('no container given', 'add --image IMAGE (e.g. --image nginx) or --container NAME=IMAGE');
  if (command.length > 0 && containers.length > 1) throw invalidArgument('a command after -- needs a pod with exactly one container', 'give one --image, or use podctl apply with a manifest');
  // Checked here too so that the error names the flag; the spec's own check names the field.
  for (const server of flags.dns ?? []) if (!isIP(server)) throw invalidArgument(`--dns "${server}" is not an IP address`, 'e.g. --dns 10.99.0.10');
  if (flags.pauseImage?.trim() === '') throw invalidArgument('--pause-image is empty', "omit it to use podctl's own pause image");
  const dns = flags.dns || flags.dnsSearch || flags.dnsOption ? { servers: flags.dns ?? [], searches: flags.dnsSearch ?? [], options: flags.dnsOption ?? [] } : undefined;
  const spec = buildPodSpec(
    {
      containers,
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
      ...(flags.hostname !== undefined ? { hostname: flags.hostname } : {}),
      labels: Object.fromEntries((flags.label ?? []).map(parseLabel)),
      ...(flags.network?.length ? { networks: flags.network } : {}),
      portMappings: (flags.publish ?? []).map(parsePortMapping),
      ...(dns ? { dns } : {}),
      sharePid: flags.sharePid ?? false,
      ...(flags.restart !== undefined ? { restartPolicy: flags.restart as RestartPolicy } : {}),
      ...(flags.pauseImage !== undefined ? { pauseImage: flags.pauseImage } : {}),
      ...(flags.stopTimeout !== undefined ? { stopTimeout: flags.stopTimeout } : {}),
      ...(flags.session ? { session: flags.session } : {}),
      ...(flags.bandwidthIngress || flags.bandwidthEgress
        ? {
            bandwidth: {
              ...(flags.bandwidthIngress ? { ingressRate: parseRate(flags.bandwidthIngress, '--bandwidth-ingress') } : {}),
              ...(flags.bandwidthEgress ? { egressRate: parseRate(flags.bandwidthEgress, '--bandwidth-egress') } : {}),
            },
          }
        : {}),
    },
    defaults,
  );
  // Commands name containers, so they apply once every container has its name.
  for (const entry of flags.command ?? []) {
    const [name, words] = parseContainerCommand(entry);
    const target = spec.containers.find((c) => c.name === name);
    if (!target) throw invalidArgument(`--command ${name}=...: the pod has no container ${name}`, `its containers are: ${spec.containers.map((c) => c.name).join(', ')}`);
    target.args = words;
  }
  if (command.length > 0) spec.containers[0]!.args = command;
  return spec;
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
