import { invalidArgument } from '../util/errors.js';
import { isIP } from '../util/ip.js';
import { parseEnv, parseLabel } from '../util/validate.js';
import { parsePortMapping } from '../pod/ports.js';
import { buildPodSpec, type ContainerInput, type SpecDefaults } from '../pod/build-spec.js';
import { readFileSync } from 'node:fs';
import type { ContainerSecurity, PodSpec, PodVolume, RestartPolicy, VolumeMount } from '../pod/spec.js';

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
  volume?: string[];
  tmpfs?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  memory?: string;
  cpus?: string;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readOnly?: boolean;
  init?: boolean;
}

/** docker's `--memory 512m`: b, k, m, g (binary multiples); a bare number is bytes. */
export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(text.trim());
  const scale: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  const bytes = m ? Math.round(Number(m[1]) * scale[(m[2] ?? '').toLowerCase()]!) : NaN;
  // Docker's own floor: a container needs at least 6 MiB.
  if (!m || !(bytes >= 6 * 1024 ** 2)) throw invalidArgument(`--memory "${text}" is not a memory size of at least 6m`, 'e.g. --memory 512m or --memory 1g');
  return bytes;
}

/** `-v SRC:DST[:ro|rw]`: an absolute SRC is a host path, anything else a Docker named volume. */
export function parseVolumeFlag(text: string, index: number): { volume: PodVolume; mount: VolumeMount } {
  const parts = text.split(':');
  const [src, dst, mode] = parts;
  if (parts.length < 2 || parts.length > 3 || !src || !dst || !dst.startsWith('/') || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
    throw invalidArgument(`--volume "${text}" is not SRC:DST[:ro]`, 'e.g. -v /srv/data:/data:ro or -v myvolume:/data (DST an absolute path)');
  }
  const name = `vol-${index}`;
  const source: PodVolume['source'] = src.startsWith('/') ? { kind: 'hostPath', path: src, type: '' } : { kind: 'named', volume: src };
  return { volume: { name, source }, mount: { volume: name, mountPath: dst, ...(mode === 'ro' ? { readOnly: true } : {}) } };
}

/** `--env-file`: KEY=VALUE lines; `#` comments and blank lines skipped; a bare KEY takes podctl's own environment's value (as docker). */
export function parseEnvFile(text: string, file: string, hostEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (!/^[^=\s]+$/.test(key)) throw invalidArgument(`${file} line ${i + 1}: "${key}" is not a variable name`, 'write KEY=VALUE lines');
    if (eq >= 0) env[key] = raw.slice(raw.indexOf('=') + 1);
    else if (hostEnv[key] !== undefined) env[key] = hostEnv[key]!;
  });
  return env;
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
  const fromFiles = Object.assign({}, ...(flags.envFile ?? []).map((file) => parseEnvFile(readEnvFile(file), file))) as Record<string, string>;
  const env = { ...fromFiles, ...Object.fromEntries((flags.env ?? []).map(parseEnv)) };
  const volumes = (flags.volume ?? []).map(parseVolumeFlag);
  const shared = containerFlags(flags, volumes.map((v) => v.mount));
  const containers: ContainerInput[] = (flags.image ?? []).map((image) => ({ image, env, ...shared }));
  for (const entry of flags.container ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1) throw invalidArgument(`--container "${entry}" is not NAME=IMAGE`, 'e.g. --container web=nginx');
    containers.push({ name: entry.slice(0, eq), image: entry.slice(eq + 1), env, ...shared });
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
      ...(volumes.length > 0 ? { volumes: volumes.map((v) => v.volume) } : {}),
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

function readEnvFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw invalidArgument(`--env-file ${file} cannot be read`, 'give a readable file of KEY=VALUE lines');
  }
}

/** Flags that apply to every app container of the pod, as docker applies them to its one container. */
function containerFlags(flags: SpecFlags, mounts: VolumeMount[]): Partial<ContainerInput> {
  const tmpfs: Record<string, string> = {};
  for (const t of flags.tmpfs ?? []) {
    const [path, ...opts] = t.split(':');
    if (!path?.startsWith('/')) throw invalidArgument(`--tmpfs "${t}" is not PATH[:OPTIONS]`, 'e.g. --tmpfs /run:size=64m');
    tmpfs[path] = opts.join(':');
  }
  const cpus = flags.cpus === undefined ? undefined : Number(flags.cpus);
  if (cpus !== undefined && !(cpus > 0 && cpus <= 1024)) throw invalidArgument(`--cpus "${flags.cpus}" is not a number of CPUs`, 'e.g. --cpus 0.5');
  const security: ContainerSecurity = {
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.privileged ? { privileged: true } : {}),
    ...(flags.readOnly ? { readOnlyRootFilesystem: true } : {}),
    ...(flags.capAdd?.length ? { capAdd: flags.capAdd } : {}),
    ...(flags.capDrop?.length ? { capDrop: flags.capDrop } : {}),
  };
  const resources = { ...(flags.memory !== undefined ? { memoryBytes: parseMemory(flags.memory) } : {}), ...(cpus !== undefined ? { cpus } : {}) };
  return {
    ...(mounts.length > 0 ? { mounts } : {}),
    ...(Object.keys(tmpfs).length > 0 ? { tmpfs } : {}),
    ...(flags.workdir !== undefined ? { workingDir: flags.workdir } : {}),
    ...(flags.entrypoint !== undefined ? { command: flags.entrypoint === '' ? [] : [flags.entrypoint] } : {}),
    ...(Object.keys(security).length > 0 ? { security } : {}),
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
    ...(flags.init ? { init: true } : {}),
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
