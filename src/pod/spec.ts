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
  /** Checked while `podctl watch` runs: failureThreshold failures in a row restart the container. */
  livenessProbe?: ProbeSpec;
  /** Volumes of the pod mounted into this container. */
  mounts?: VolumeMount[];
  /** Per-container tmpfs mounts (`--tmpfs PATH[:OPTIONS]`): path → mount options. */
  tmpfs?: Record<string, string>;
  resources?: ContainerResources;
  security?: ContainerSecurity;
  /** When the image is pulled: IfNotPresent (podctl's default), Always, or Never (fail if absent). */
  pullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Run an init process (docker's tini) as PID 1 that reaps zombies and forwards signals. */
  init?: boolean;
  /**
   * Kubernetes semantics for `$(VAR)` in env values, command and args (manifests set it; docker
   * flags do not): expanded when the container is created, see expand-vars.ts.
   */
  expandVars?: boolean;
  /** Env variables that get the pod's IP (Kubernetes fieldRef status.podIP): known only after CNI ADD. */
  podIPEnv?: string[];
  /** The container's stdin stays open for an attach (Kubernetes `stdin`, Docker's OpenStdin); without it the process reads EOF. */
  stdin?: boolean;
  /** The first attach's end closes the container's stdin (Kubernetes `stdinOnce`, Docker's StdinOnce): `kubectl run -i` pipes a file through. */
  stdinOnce?: boolean;
  /** The process gets a terminal (Kubernetes `tty`): its output is not split into stdout and stderr, and an attach can resize it. */
  tty?: boolean;
}

/** Docker limits from Kubernetes resources: bytes and CPUs. */
export interface ContainerResources {
  memoryBytes?: number;
  /** Soft memory limit (Kubernetes requests.memory). */
  memoryReservationBytes?: number;
  /** CPU limit in CPUs (0.5 = half a core). */
  cpus?: number;
  /** Relative CPU weight (Kubernetes requests.cpu, 1 CPU = 1024 shares). */
  cpuShares?: number;
}

export interface ContainerSecurity {
  /** "uid", "uid:gid" or a user name. */
  user?: string;
  /** Refuse to start a container whose user would be root. */
  runAsNonRoot?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /** false → no-new-privileges. */
  allowPrivilegeEscalation?: boolean;
}

export type HostPathType = '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

/** One file a volume holds (configMap, secret, downwardAPI): path inside the volume, base64 content, mode. */
export interface VolumeFile {
  path: string;
  contentBase64: string;
  mode: number;
  /** Set in checkpoints: the content is only on the pod's tmpfs. */
  redacted?: boolean;
}

/**
 * Where a pod volume's data lives. `memory` volumes (emptyDir medium Memory, secrets) are on
 * one tmpfs per pod, so their data never reaches the disk; the others are directories of the
 * pod's state directory or Docker named volumes.
 */
export type VolumeSource =
  | { kind: 'emptyDir'; medium: 'disk' | 'memory' }
  | { kind: 'hostPath'; path: string; type: HostPathType }
  | { kind: 'files'; medium: 'disk' | 'memory'; files: VolumeFile[]; from: string }
  | { kind: 'named'; volume: string; readOnly?: boolean };

export interface PodVolume {
  name: string;
  source: VolumeSource;
}

export interface VolumeMount {
  volume: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
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
  /** Failures in a row that count (liveness: restart the container); Kubernetes' default is 3. */
  failureThreshold?: number;
}

/** The kubelet's dnsPolicy (ClusterFirstWithHostNet is ClusterFirst: podctl pods never use the host's network). */
export type DnsPolicy = 'ClusterFirst' | 'Default' | 'None';

export interface DnsSpec {
  /** Unset: None when servers are given (as `--dns`), else ClusterFirst. */
  policy?: DnsPolicy;
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
  /** With restartPolicy on-failure: how often Docker restarts a failed container before giving up (Job backoffLimit). */
  restartRetries?: number;
  pauseImage: string;
  initContainers: ContainerSpec[];
  containers: ContainerSpec[];
  /** Seconds a container gets between SIGTERM and SIGKILL on stop. */
  stopTimeout: number;
  /** Volumes the containers mount by name. */
  volumes?: PodVolume[];
  /** Traffic shaping via the `bandwidth` capability, in bits per second (as Kubernetes' annotations). */
  bandwidth?: { ingressRate?: number; egressRate?: number };
  /** Groups the pods of one test run, so a crashed run's pods can be collected. */
  session?: string;
  /** Kubernetes' metadata.ownerReferences: the workload that made the pod (the kube layer sets them). */
  ownerReferences?: OwnerRef[];
}

/** One of a pod's owners, as Kubernetes' OwnerReference: the one with `controller` keeps the pod. */
export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The owner that controls the pod (restarts, replaces and deletes it), if any. */
export const controllerOf = (spec: Pick<PodSpec, 'ownerReferences'>): OwnerRef | undefined => spec.ownerReferences?.find((r) => r.controller);

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_STOP_TIMEOUT = 10;

/**
 * How many pods one command works on at once (`podctl rm -a`, `apply -f` of many, a workload's
 * controller). Pods are independent (each has its own lock), and most of a pod's time is spent
 * waiting on the engine and the plugins, so overlapping them is what makes many pods fast.
 */
export const POD_CONCURRENCY = 8;

/** The interface name for the n-th network of a pod, as Multus names them. */
export function ifNameFor(index: number): string {
  return index === 0 ? 'eth0' : `net${index}`;
}

/** The names of the pod's own IP in its hosts file: `<hostname>.<subdomain>.<ns>.svc.cluster.local` first when it has a subdomain. */
export function podHostNames(spec: Pick<PodSpec, 'name' | 'namespace' | 'hostname' | 'subdomain'>): string[] {
  const hostname = spec.hostname ?? spec.name;
  return spec.subdomain ? [`${hostname}.${spec.subdomain}.${spec.namespace}.svc.cluster.local`, hostname] : [hostname];
}

/**
 * The spec as a checkpoint stores it on disk: the contents of memory volumes (secrets) are
 * left out, so they exist only on the pod's tmpfs (`redacted` marks them).
 */
export function specForDisk(spec: PodSpec): PodSpec {
  if (!spec.volumes?.some((v) => v.source.kind === 'files' && v.source.medium === 'memory')) return spec;
  return {
    ...spec,
    volumes: spec.volumes.map((v) =>
      v.source.kind === 'files' && v.source.medium === 'memory' ? { ...v, source: { ...v.source, files: v.source.files.map((f) => ({ ...f, contentBase64: '', redacted: true })) } } : v,
    ),
  };
}
