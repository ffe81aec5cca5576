import { buildPodSpec, definedOnly, type ContainerInput, type SpecDefaults } from './build-spec.js';
import { parsePortMapping } from './ports.js';
import type { DnsSpec, PodSpec, PortMapping, ProbeSpec } from './spec.js';
import type { WaitSpec } from './wait.js';

/** One container of {@link PodRunOptions}; only `image` is required. */
export interface ContainerRunOptions {
  /** Default: named after the image ("nginx", then "nginx-2", ...). */
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
  /** Default: the first container's name and a random suffix ("nginx-7f3a2c"). */
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

/** The full pod spec for a set of run options (buildPodSpec owns the defaults and checks). */
export function specFromRunOptions(options: PodRunOptions, defaults: SpecDefaults & { session?: string }): PodSpec {
  const shorthand: ContainerInput[] = options.image ? [{ image: options.image, ...(options.args ? { args: options.args } : {}), ...(options.env ? { env: options.env } : {}) }] : [];
  const { name, namespace, hostname, labels, networks, hostAliases, sharePid, stopTimeout } = options;
  return buildPodSpec(
    {
      containers: [...shorthand, ...(options.containers ?? [])],
      initContainers: options.initContainers ?? [],
      ...definedOnly({ name, namespace, hostname, labels, networks, hostAliases, sharePid, stopTimeout, session: defaults.session }),
      portMappings: (options.ports ?? []).map((p) => (typeof p === 'string' ? parsePortMapping(p) : p)),
      ...(options.dns ? { dns: { servers: options.dns.servers ?? [], searches: options.dns.searches ?? [], options: options.dns.options ?? [] } } : {}),
    },
    defaults,
  );
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
