/**
 * The pod spec: what `podctl run`, `podctl create` and `podctl apply` all turn their input
 * into, and what a checkpoint stores so that `start` and `kube generate` can rebuild the pod.
 */

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  /** Replaces the image's ENTRYPOINT (Kubernetes `command`). */
  command?: string[];
  /** Replaces the image's CMD (Kubernetes `args`, docker's trailing words). */
  args?: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** Container ports as declared (informational, kept for manifests). */
  ports?: Array<{ containerPort: number; protocol: string; name?: string }>;
  /** Checked by `--wait` after the container started: it must pass before the pod is ready. */
  startupProbe?: ProbeSpec;
  /** Checked by `--wait` (after the startup probe, if any). */
  readinessProbe?: ProbeSpec;
}

/**
 * A Kubernetes-style probe: exactly one of `httpGet`, `tcpSocket` or `exec`. HTTP and TCP
 * probes go to the pod IP; exec runs in the container. Timings are in seconds, as in Kubernetes.
 */
export interface ProbeSpec {
  httpGet?: { port: number; path: string; scheme?: 'HTTP' | 'HTTPS' };
  tcpSocket?: { port: number };
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
}

export interface DnsSpec {
  servers: string[];
  searches: string[];
  options: string[];
}

export type RestartPolicy = 'no' | 'always' | 'on-failure' | 'unless-stopped';

export interface PodSpec {
  name: string;
  namespace: string;
  hostname?: string;
  /** With a subdomain the pod's hosts file also names it `<hostname>.<subdomain>.<namespace>.svc.cluster.local`. */
  subdomain?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Networks in attachment order: the first is eth0, then net1, net2, ... */
  networks: string[];
  portMappings: PortMapping[];
  dns?: DnsSpec;
  hostAliases: Array<{ ip: string; hostnames: string[] }>;
  sharePid: boolean;
  restartPolicy: RestartPolicy;
  pauseImage: string;
  initContainers: ContainerSpec[];
  containers: ContainerSpec[];
  /** Seconds a container gets between SIGTERM and SIGKILL on stop. */
  stopTimeout: number;
  /** Traffic shaping via the `bandwidth` capability, in bits per second (as Kubernetes' annotations). */
  bandwidth?: { ingressRate?: number; egressRate?: number };
  /** Groups the pods of one test run, so a crashed run's pods can be collected. */
  session?: string;
}

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_STOP_TIMEOUT = 10;

/** The interface name for the n-th network of a pod, as Multus names them. */
export function ifNameFor(index: number): string {
  return index === 0 ? 'eth0' : `net${index}`;
}

/** The names of the pod's own IP in its hosts file: `<hostname>.<subdomain>.<ns>.svc.cluster.local` first when it has a subdomain. */
export function podHostNames(spec: Pick<PodSpec, 'name' | 'namespace' | 'hostname' | 'subdomain'>): string[] {
  const hostname = spec.hostname ?? spec.name;
  return spec.subdomain ? [`${hostname}.${spec.subdomain}.${spec.namespace}.svc.cluster.local`, hostname] : [hostname];
}
