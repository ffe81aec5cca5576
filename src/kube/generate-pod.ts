import { isPodctlLabelKey } from '../pod/labels.js';
import type { ContainerSpec, PodSpec, PortMapping, ProbeSpec, RestartPolicy } from '../pod/spec.js';
import type { PodView } from '../pod/status.js';
import type { Container, ContainerStatus, Pod, PodList, PodSpec as KubePodSpec, PodStatus, Probe } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { ManifestIssues } from './fields.js';
import { labelValueProblem, qualifiedNameProblem } from './k8s-names.js';
import { DEFAULT_NETWORK_ANNOTATION, NETWORKS_ANNOTATION, formatNetworksAnnotation, parseNetworksAnnotation } from './networks-annotation.js';
import { containerState, lastContainerState, podPhase, podReady } from './pod-status.js';

/** A container's status as podctl can tell it: a restart count only once counted. */
export type GeneratedContainerStatus = Omit<ContainerStatus, 'restartCount'> & Partial<Pick<ContainerStatus, 'restartCount'>>;

/**
 * A Pod manifest as podctl writes it: Kubernetes' Pod, with the name, namespace and spec it
 * always has, and the status podctl can tell.
 */
export type GeneratedPod = Omit<Pod, 'apiVersion' | 'kind' | 'metadata' | 'spec' | 'status'> & {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta & Required<Pick<ObjectMeta, 'name' | 'namespace'>>;
  spec: KubePodSpec;
  status?: Omit<PodStatus, 'containerStatuses'> & { containerStatuses?: GeneratedContainerStatus[] };
};

/** `kind: List`, as `kubectl get pods -o yaml` prints several pods. */
export type GeneratedPodList = Omit<PodList, 'kind' | 'items'> & { kind: 'List'; items: GeneratedPod[] };

export interface GenerateOptions {
  /** The network a manifest without the default-network annotation lands on. */
  defaultNetwork: string;
  /** With a view, the manifest gets a `status` (for `podctl get pod -o yaml`). */
  view?: PodView;
}

const RESTART: Record<RestartPolicy, KubePodSpec['restartPolicy']> = { always: 'Always', 'unless-stopped': 'Always', 'on-failure': 'OnFailure', no: 'Never' };

/**
 * A Pod manifest that reproduces a pod: what `podctl apply` of it would build again. Only
 * fields an API server accepts are written; podctl's own bookkeeping labels are left out.
 */
export function manifestFromPod(spec: PodSpec, options: GenerateOptions): GeneratedPod {
  const { labels, annotations } = metadataMaps(spec, options.defaultNetwork);
  const unplaced = [...spec.portMappings];
  const pod: GeneratedPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(options.view ? { creationTimestamp: options.view.created } : {}),
      ...(spec.ownerReferences?.length ? { ownerReferences: spec.ownerReferences.map((r) => ({ ...r })) } : {}),
      ...(options.view?.deletionTimestamp ? { deletionTimestamp: options.view.deletionTimestamp, deletionGracePeriodSeconds: options.view.deletionGracePeriodSeconds ?? 0 } : {}),
    },
    spec: {
      ...(spec.hostname !== undefined ? { hostname: spec.hostname } : {}),
      ...(spec.subdomain !== undefined ? { subdomain: spec.subdomain } : {}),
      ...(spec.initContainers.length ? { initContainers: spec.initContainers.map((c) => containerOf(c, [])) } : {}),
      containers: spec.containers.map((c) => containerOf(c, unplaced)),
      restartPolicy: RESTART[spec.restartPolicy],
      terminationGracePeriodSeconds: spec.stopTimeout,
      ...(spec.sharePid ? { shareProcessNamespace: true } : {}),
      ...dnsOf(spec),
      ...(spec.hostAliases.length ? { hostAliases: spec.hostAliases.map((a) => ({ ip: a.ip, hostnames: [...a.hostnames] })) } : {}),
    },
    ...(options.view ? { status: statusOf(options.view) } : {}),
  };
  // Host ports published without a matching declared port (podctl run -p) go on the first container.
  const first = pod.spec.containers[0];
  if (first && unplaced.length) first.ports = [...(first.ports ?? []), ...unplaced.map((m) => ({ containerPort: m.containerPort, protocol: upper(m.protocol), ...hostSide(m) }))];
  return pod;
}

const upper = (protocol: string) => protocol.toUpperCase() as 'TCP' | 'UDP' | 'SCTP';
const hostSide = (m: PortMapping) => ({ hostPort: m.hostPort, ...(m.hostIP ? { hostIP: m.hostIP } : {}) });

/**
 * Labels an API server would refuse (podctl run --label takes more) move to annotations; the
 * networks annotations are written from the pod's networks, keeping the user's text when it
 * already says the same thing.
 */
function metadataMaps(spec: PodSpec, defaultNetwork: string): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.labels)) {
    if (isPodctlLabelKey(key) || qualifiedNameProblem(key)) continue;
    if (labelValueProblem(value)) annotations[key] = value;
    else labels[key] = value;
  }
  Object.assign(annotations, spec.annotations);
  const [primary, ...extra] = spec.networks;
  const stated = annotations[NETWORKS_ANNOTATION];
  const statedNames = stated === undefined ? [] : parseNetworksAnnotation(stated, '', new ManifestIssues());
  if (statedNames.join(',') !== extra.join(',')) {
    if (extra.length) annotations[NETWORKS_ANNOTATION] = formatNetworksAnnotation(extra);
    else delete annotations[NETWORKS_ANNOTATION];
  }
  if (primary !== undefined && (annotations[DEFAULT_NETWORK_ANNOTATION]?.trim() || defaultNetwork) !== primary) {
    if (primary === defaultNetwork) delete annotations[DEFAULT_NETWORK_ANNOTATION];
    else annotations[DEFAULT_NETWORK_ANNOTATION] = primary;
  }
  return { labels, annotations };
}

function containerOf(c: ContainerSpec, unplaced: PortMapping[]): Container {
  const ports = (c.ports ?? []).map((p) => {
    const i = unplaced.findIndex((m) => m.containerPort === p.containerPort && m.protocol === p.protocol.toLowerCase());
    const mapping = i >= 0 ? unplaced.splice(i, 1)[0] : undefined;
    return { containerPort: p.containerPort, protocol: upper(p.protocol), ...(p.name ? { name: p.name } : {}), ...(mapping ? hostSide(mapping) : {}) };
  });
  const env = Object.entries(c.env).map(([name, value]) => ({ name, value }));
  return {
    name: c.name,
    image: c.image,
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.args ? { args: [...c.args] } : {}),
    ...(env.length ? { env } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    ...(ports.length ? { ports } : {}),
    ...(c.startupProbe ? { startupProbe: probeOf(c.startupProbe) } : {}),
    ...(c.readinessProbe ? { readinessProbe: probeOf(c.readinessProbe) } : {}),
    ...(c.stdin ? { stdin: true } : {}),
    ...(c.stdinOnce ? { stdinOnce: true } : {}),
    ...(c.tty ? { tty: true } : {}),
  };
}

function probeOf(p: ProbeSpec): Probe {
  const probe: Probe = {};
  if (p.httpGet) probe.httpGet = { path: p.httpGet.path, port: p.httpGet.port, ...(p.httpGet.scheme ? { scheme: p.httpGet.scheme } : {}) };
  if (p.tcpSocket) probe.tcpSocket = { port: p.tcpSocket.port };
  if (p.exec) probe.exec = { command: [...p.exec.command] };
  for (const key of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds'] as const) if (p[key] !== undefined) probe[key] = p[key];
  return probe;
}

/** The pod's policy (servers without one mean None); searches or options alone keep the default policy and add to it. */
function dnsOf(spec: PodSpec): Pick<KubePodSpec, 'dnsPolicy' | 'dnsConfig'> {
  const dns = spec.dns;
  const policy = dns?.policy && dns.policy !== 'ClusterFirst' ? { dnsPolicy: dns.policy } : {};
  if (!dns || (dns.servers.length === 0 && dns.searches.length === 0 && dns.options.length === 0)) return policy;
  const options = dns.options.map((o) => {
    const colon = o.indexOf(':');
    return colon < 0 ? { name: o } : { name: o.slice(0, colon), value: o.slice(colon + 1) };
  });
  return {
    ...(dns.servers.length && !dns.policy ? { dnsPolicy: 'None' as const } : policy),
    dnsConfig: {
      ...(dns.servers.length ? { nameservers: [...dns.servers] } : {}),
      ...(dns.searches.length ? { searches: [...dns.searches] } : {}),
      ...(options.length ? { options } : {}),
    },
  };
}

const optionalLastState = (c: PodView['containers'][number]) => {
  const lastState = lastContainerState(c);
  return lastState ? { lastState } : {};
};

/**
 * The pod's status as the kubelet reports it. A container is ready while it runs and the pod
 * awaits no readiness (its startup and readiness probes passed: after a restart they must pass
 * again); the pod conditions follow: PodScheduled (the one node), Initialized (its init
 * containers ran), ContainersReady and Ready.
 */
function statusOf(view: PodView): NonNullable<GeneratedPod['status']> {
  const apps = view.containers.filter((c) => c.role === 'app');
  const containerReady = (c: PodView['containers'][number]) => c.state === 'running' && !view.awaitingReady && !view.deletionTimestamp;
  const allReady = apps.length > 0 && apps.every(containerReady) && podReady(view);
  const condition = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False' });
  return {
    phase: podPhase(view),
    conditions: [condition('PodScheduled', true), condition('Initialized', view.state !== 'creating'), condition('ContainersReady', allReady), condition('Ready', allReady)],
    ...(view.created ? { startTime: view.created } : {}),
    ...(view.ips[0] ? { podIP: view.ips[0], podIPs: view.ips.map((ip) => ({ ip })) } : {}),
    ...(apps.length
      ? {
          containerStatuses: apps.map((c) => ({
            name: c.name,
            image: c.image,
            // Required by the API's schema (client libraries refuse a status without it).
            imageID: c.imageId ?? '',
            containerID: `docker://${c.id}`,
            ready: containerReady(c),
            started: c.state === 'running',
            ...(c.restarts !== undefined ? { restartCount: c.restarts } : {}),
            state: containerState(c, view),
            ...optionalLastState(c),
          })),
        }
      : {}),
  };
}
