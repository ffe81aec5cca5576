import { invalidArgument } from '../util/errors.js';
import { parsePortMapping } from './ports.js';
import { DEFAULT_NAMESPACE, DEFAULT_STOP_TIMEOUT, type ContainerSpec, type DnsSpec, type PodSpec, type PortMapping, type ProbeSpec } from './spec.js';
import type { WaitSpec } from './wait.js';

/** One container of {@link PodRunOptions}; only `image` is required. */
export interface ContainerRunOptions {
  /** Default: "app" for the first container, "app-2", "app-3", ... for the others. */
  name?: string;
  image: string;
  /** Replaces the image's ENTRYPOINT. */
  command?: string[];
  /** Replaces the image's CMD. */
  args?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  readinessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
}

/**
 * What a test usually says about a pod, with everything else defaulted: a generated name,
 * the default network, podctl's pause image, and the session of the {@link PodSession}.
 */
export interface PodRunOptions {
  /** Default: "pod-" and a random suffix. */
  name?: string;
  namespace?: string;
  /** Shorthand for one container from this image (`args` then go to it). */
  image?: string;
  args?: string[];
  env?: Record<string, string>;
  containers?: ContainerRunOptions[];
  initContainers?: ContainerRunOptions[];
  /** Networks in order (eth0, net1, ...); default: the first network of the conf dir. */
  networks?: string[];
  /** `"[hostIP:]hostPort:containerPort[/proto]"` strings (as docker -p) or mappings. */
  ports?: Array<string | PortMapping>;
  labels?: Record<string, string>;
  hostname?: string;
  dns?: Partial<DnsSpec>;
  hostAliases?: Array<{ ip: string; hostnames: string[] }>;
  sharePid?: boolean;
  /** Seconds between SIGTERM and SIGKILL on stop (default 10). */
  stopTimeout?: number;
  /**
   * Wait before returning: `true` waits for the containers' probes (if any); `{ http }` or
   * `{ tcp }` probe the pod IP. Default timeout 60 s.
   */
  wait?: true | { http?: { port: number; path?: string }; tcp?: number; timeoutMs?: number };
}

export interface RunDefaults {
  network: string;
  pauseImage: string;
  session?: string;
  randomSuffix: () => string;
}

function container(c: ContainerRunOptions, index: number): ContainerSpec {
  if (!c.image) throw invalidArgument(`container ${index + 1} has no image`, 'give image: "nginx:latest" or similar');
  return {
    name: c.name ?? (index === 0 ? 'app' : `app-${index + 1}`),
    image: c.image,
    env: { ...(c.env ?? {}) },
    ...(c.command ? { command: c.command } : {}),
    ...(c.args ? { args: c.args } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    ...(c.readinessProbe ? { readinessProbe: c.readinessProbe } : {}),
    ...(c.startupProbe ? { startupProbe: c.startupProbe } : {}),
  };
}

/** The full pod spec for a set of run options. */
export function specFromRunOptions(options: PodRunOptions, defaults: RunDefaults): PodSpec {
  const shorthand = options.image ? [{ image: options.image, args: options.args, env: options.env }] : [];
  const containers = [...shorthand, ...(options.containers ?? [])].map(container);
  if (containers.length === 0) throw invalidArgument('a pod needs a container', 'give image: "..." or containers: [...]');
  return {
    name: options.name ?? `pod-${defaults.randomSuffix()}`,
    namespace: options.namespace ?? DEFAULT_NAMESPACE,
    ...(options.hostname ? { hostname: options.hostname } : {}),
    labels: { ...(options.labels ?? {}) },
    annotations: {},
    networks: options.networks?.length ? [...options.networks] : [defaults.network],
    portMappings: (options.ports ?? []).map((p) => (typeof p === 'string' ? parsePortMapping(p) : p)),
    ...(options.dns ? { dns: { servers: options.dns.servers ?? [], searches: options.dns.searches ?? [], options: options.dns.options ?? [] } } : {}),
    hostAliases: options.hostAliases ?? [],
    sharePid: options.sharePid ?? false,
    restartPolicy: 'no',
    pauseImage: defaults.pauseImage,
    initContainers: (options.initContainers ?? []).map(container),
    containers,
    stopTimeout: options.stopTimeout ?? DEFAULT_STOP_TIMEOUT,
    ...(defaults.session ? { session: defaults.session } : {}),
  };
}

export function waitFromRunOptions(wait: PodRunOptions['wait']): WaitSpec | undefined {
  if (!wait) return undefined;
  if (wait === true) return { timeoutMs: 60_000 };
  return {
    timeoutMs: wait.timeoutMs ?? 60_000,
    ...(wait.http ? { http: { port: wait.http.port, path: wait.http.path ?? '/' } } : {}),
    ...(wait.tcp !== undefined ? { tcp: wait.tcp } : {}),
  };
}
