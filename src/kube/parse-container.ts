/** Containers of a Pod manifest (app and init) to podctl container specs; problems go to the reader's issues. */

import type { ContainerSpec, ProbeSpec } from '../pod/spec.js';
import type { Fields } from './fields.js';
import { isDnsLabel } from '../util/validate.js';
import { isPortName } from './k8s-names.js';
import { envOf } from './container-env.js';
import { resourcesOf, securityOf, type PodSecurityDefaults } from './container-runtime.js';
import type { ObjectLookup } from './object-lookup.js';
import { mountsOf, type PodMeta } from './pod-volumes.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
/** Defaults an API server writes into every container on export; they change nothing here. */
const HARMLESS_CONTAINER = { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
/** The defaults of the attach fields: harmless on any container (an init container's export has them too). */
const NO_STDIO = { stdin: false, stdinOnce: false, tty: false };

/** What a container reads beyond its own fields: the pod's metadata, the objects it may name, the pod's security defaults. */
export interface ContainerContext {
  meta: PodMeta;
  objects: ObjectLookup;
  podSecurity: PodSecurityDefaults;
}

/** A DNS-1123 label field (names of pods, namespaces, containers; hostname, subdomain). */
export function nameField(f: Fields, key: string, required: boolean): string | undefined {
  const v = f.string(key, { required });
  if (v === undefined) return undefined;
  if (!isDnsLabel(v)) return f.issues.error(f.at(key), 'must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit');
  return v;
}

export function containerOf(c: Fields, role: 'app' | 'init', ctx: ContainerContext): ContainerSpec | undefined {
  const supported = ['name', 'image', 'command', 'args', 'env', 'envFrom', 'workingDir', 'ports', 'volumeMounts', 'resources', 'securityContext', 'imagePullPolicy'];
  // Init containers run to completion before anything can attach: an open stdin or a TTY is only an app's.
  c.only(role === 'app' ? [...supported, 'readinessProbe', 'startupProbe', 'livenessProbe', 'stdin', 'stdinOnce', 'tty'] : supported, { ...HARMLESS_CONTAINER, ...NO_STDIO });
  const name = nameField(c, 'name', true);
  const image = c.string('image', { required: true });
  if (image !== undefined && /\s/.test(image)) c.issues.error(c.at('image'), 'must not contain white space');
  const ports = c.list('ports').map((p) => {
    p.only(['containerPort', 'hostPort', 'hostIP', 'protocol', 'name']);
    const portName = p.string('name');
    if (portName !== undefined && !isPortName(portName)) p.issues.error(p.at('name'), 'must be at most 15 lowercase letters, digits and "-", with a letter');
    const containerPort = p.int('containerPort', { min: 1, max: 65535, required: true });
    const protocol = (p.oneOf('protocol', PROTOCOLS) ?? 'TCP').toLowerCase();
    return { containerPort: containerPort ?? 0, protocol, ...(portName ? { name: portName } : {}) };
  });
  const resources = resourcesOf(c);
  const { env, podIPEnv } = envOf(c, ctx.meta, ctx.objects, resources);
  const mounts = mountsOf(c);
  const security = securityOf(c, ctx.podSecurity);
  const spec: ContainerSpec = {
    name: name ?? '',
    image: image ?? '',
    env,
    expandVars: true,
    ...(podIPEnv.length > 0 ? { podIPEnv } : {}),
    ...optional('command', c.strings('command')),
    ...optional('args', c.strings('args')),
    ...optional('workingDir', c.string('workingDir')),
    ...(ports.length > 0 ? { ports } : {}),
    ...(mounts.length > 0 ? { mounts } : {}),
    ...optional('resources', resources),
    ...optional('security', security),
    ...optional('pullPolicy', c.oneOf('imagePullPolicy', ['Always', 'IfNotPresent', 'Never'] as const)),
    ...stdioOf(c),
  };
  const namedPorts = new Map(ports.flatMap((p) => (p.name ? [[p.name, p.containerPort] as const] : [])));
  for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
    const probe = c.object(kind);
    if (probe) spec[kind] = probeOf(probe, namedPorts);
  }
  return spec;
}

/** stdin, stdinOnce and tty when true (false is the default and is left out); stdinOnce without stdin is kept, and means nothing, as on a cluster. */
function stdioOf(c: Fields): Pick<ContainerSpec, 'stdin' | 'stdinOnce' | 'tty'> {
  const set = (['stdin', 'stdinOnce', 'tty'] as const).filter((key) => c.bool(key));
  return Object.fromEntries(set.map((key) => [key, true]));
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

function probeOf(p: Fields, namedPorts: Map<string, number>): ProbeSpec {
  p.only(['httpGet', 'tcpSocket', 'exec', 'initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'], { successThreshold: 1 });
  const handlers = ['httpGet', 'tcpSocket', 'exec'].filter((k) => p.has(k));
  if (handlers.length !== 1) p.issues.error(p.path, 'must have exactly one of httpGet, tcpSocket or exec');
  const probe: ProbeSpec = {
    ...optional('initialDelaySeconds', p.int('initialDelaySeconds', { min: 0, range: '0 or more' })),
    ...optional('periodSeconds', p.int('periodSeconds', { min: 1, range: '1 or more' })),
    ...optional('timeoutSeconds', p.int('timeoutSeconds', { min: 1, range: '1 or more' })),
    ...optional('failureThreshold', p.int('failureThreshold', { min: 1, range: '1 or more' })),
  };
  const http = p.object('httpGet');
  if (http) {
    http.only(['path', 'port', 'scheme'], { host: '' });
    const scheme = http.oneOf('scheme', ['HTTP', 'HTTPS'] as const);
    probe.httpGet = { port: probePort(http, namedPorts), path: http.string('path') ?? '/', ...(scheme === 'HTTPS' ? { scheme } : {}) };
  }
  const tcp = p.object('tcpSocket');
  if (tcp) {
    tcp.only(['port']);
    probe.tcpSocket = { port: probePort(tcp, namedPorts) };
  }
  const exec = p.object('exec');
  if (exec) {
    exec.only(['command']);
    const command = exec.strings('command');
    if (!command || command.length === 0) exec.issues.error(exec.at('command'), 'must be a non-empty list of strings');
    probe.exec = { command: command ?? [] };
  }
  return probe;
}

/** A probe port is a number or the name of one of the container's ports. */
function probePort(f: Fields, namedPorts: Map<string, number>): number {
  const v = f.raw('port');
  if (typeof v === 'string') return namedPorts.get(v) ?? f.issues.error(f.at('port'), `names no port of this container ("${v}")`) ?? 0;
  return f.int('port', { min: 1, max: 65535, required: true }) ?? 0;
}
