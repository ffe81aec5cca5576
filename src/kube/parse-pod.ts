import { buildPodSpec } from '../pod/build-spec.js';
import { isPodctlError } from '../util/errors.js';
import { isIP } from '../util/ip.js';
import type { ContainerSpec, DnsSpec, PodSpec, PortMapping, RestartPolicy } from '../pod/spec.js';
import { Fields, ManifestIssues, childPath } from './fields.js';
import { labelValueProblem, qualifiedNameProblem } from './k8s-names.js';
import { containerOf, nameField } from './parse-container.js';
import { NO_OBJECTS, type ObjectLookup } from './object-lookup.js';
import { volumesOf } from './pod-volumes.js';
import { podSecurityOf } from './container-runtime.js';
import { isPodctlLabelKey } from '../pod/labels.js';
import { DEFAULT_NETWORK_ANNOTATION, NETWORKS_ANNOTATION, parseNetworksAnnotation } from './networks-annotation.js';

/** What a manifest leaves to podctl: the namespace when it names none, the networks, the pause image. */
export interface ManifestDefaults {
  namespace: string;
  /** The pod's primary network (eth0) unless `v1.multus-cni.io/default-network` names another. */
  defaultNetwork: string;
  pauseImage: string;
  session?: string;
  /** ConfigMaps, Secrets and claims the pod may name (default: none). */
  objects?: ObjectLookup;
}

export interface ParsedPod {
  spec: PodSpec;
  /** Paths of fields podctl cannot honour (ignored; an error with --strict). */
  unsupported: string[];
}

/** Kubernetes' default grace period; podctl's own default (10 s) applies only to `podctl run`. */
export const K8S_DEFAULT_GRACE_SECONDS = 30;

const RESTART: Record<string, RestartPolicy> = { Always: 'always', OnFailure: 'on-failure', Never: 'no' };

/** Server-set metadata and defaults an exported manifest carries; they change nothing here. */
const HARMLESS_METADATA = { uid: '*', resourceVersion: '*', generation: '*', creationTimestamp: '*', selfLink: '*', managedFields: '*' };
const HARMLESS_POD_SPEC = { schedulerName: 'default-scheduler', enableServiceLinks: true, priority: 0, preemptionPolicy: 'PreemptLowerPriority', serviceAccountName: 'default', serviceAccount: 'default' };

/**
 * A Pod manifest (already parsed from YAML/JSON) to a pod spec. Malformed fields are collected
 * with their paths and returned as `issues.errors`; the caller decides how to report them.
 */
export function podFromManifest(doc: unknown, defaults: ManifestDefaults): { parsed?: ParsedPod; issues: ManifestIssues } {
  const issues = new ManifestIssues();
  const root = Fields.of(doc, '', issues);
  if (!root) return { issues };
  if (root.raw('apiVersion') !== 'v1') issues.error('apiVersion', 'must be v1');
  if (root.raw('kind') !== 'Pod') issues.error('kind', 'must be Pod');
  root.only(['apiVersion', 'kind', 'metadata', 'spec'], { status: '*' });

  const meta = root.object('metadata') ?? issues.error('metadata', 'is required');
  const podSpec = root.object('spec') ?? issues.error('spec', 'is required');
  if (!meta || !podSpec) return { issues };
  const spec = readPod(meta, podSpec, defaults);
  return !spec || issues.errors.length > 0 ? { issues } : { parsed: { spec, unsupported: issues.unsupported }, issues };
}

/** Who a pod made from a template is: the controller names it and adds its own labels. */
export interface PodIdentity {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
}

/**
 * A pod template (`spec.template` of a Deployment, Job, ...) to the spec of one of its pods.
 * Problems are recorded under `path` in `issues`.
 */
export function podFromTemplate(template: unknown, path: string, identity: PodIdentity, defaults: ManifestDefaults, issues: ManifestIssues): PodSpec | undefined {
  const t = Fields.of(template, path, issues);
  if (!t) return undefined;
  t.only(['metadata', 'spec']);
  const meta = t.object('metadata') ?? Fields.of({}, t.at('metadata'), issues)!;
  const podSpec = t.object('spec') ?? issues.error(t.at('spec'), 'is required');
  return podSpec ? readPod(meta, podSpec, defaults, identity) : undefined;
}

/** The pod's metadata and spec fields to a PodSpec; `identity` replaces the metadata's name and namespace (templates). */
function readPod(meta: Fields, podSpec: Fields, defaults: ManifestDefaults, identity?: PodIdentity): PodSpec | undefined {
  const issues = meta.issues;
  meta.only(identity ? ['labels', 'annotations', 'name', 'generateName', 'namespace'] : ['name', 'namespace', 'labels', 'annotations'], HARMLESS_METADATA);
  const name = identity ? identity.name : nameField(meta, 'name', true);
  const namespace = identity ? identity.namespace : (nameField(meta, 'namespace', false) ?? defaults.namespace);
  const labels = { ...labelsOf(meta), ...identity?.labels };
  const annotations = meta.stringMap('annotations') ?? {};
  for (const key of Object.keys(annotations)) {
    const problem = qualifiedNameProblem(key);
    if (problem) issues.error(childPath(meta.at('annotations'), key), `key ${problem}`);
  }
  const networks = networksOf(annotations, defaults.defaultNetwork, meta.at('annotations'), issues);

  podSpec.only(
    ['containers', 'initContainers', 'hostname', 'subdomain', 'dnsPolicy', 'dnsConfig', 'hostAliases', 'shareProcessNamespace', 'restartPolicy', 'terminationGracePeriodSeconds', 'volumes', 'securityContext'],
    HARMLESS_POD_SPEC,
  );
  const podMeta = { name: name ?? '', namespace, labels, annotations };
  const objects = defaults.objects ?? NO_OBJECTS;
  const volumes = volumesOf(podSpec, podMeta, objects);
  const ctx = { meta: podMeta, objects, podSecurity: podSecurityOf(podSpec) };
  const containers = podSpec.list('containers').map((c) => containerOf(c, 'app', ctx));
  if (!podSpec.has('containers') || containers.length === 0) issues.error(podSpec.at('containers'), 'must list at least one container');
  const initContainers = podSpec.list('initContainers').map((c) => containerOf(c, 'init', ctx));
  const volumeNames = new Set(podSpec.list('volumes').map((v) => v.raw('name')));
  for (const c of [...podSpec.list('initContainers'), ...podSpec.list('containers')]) {
    for (const m of c.list('volumeMounts')) {
      const v = m.raw('name');
      if (typeof v === 'string' && !volumeNames.has(v)) issues.error(m.at('name'), `names no volume of this pod ("${v}")`);
    }
  }
  const seen = new Set<string>();
  for (const c of [...podSpec.list('initContainers'), ...podSpec.list('containers')]) {
    const n = c.raw('name');
    if (typeof n === 'string' && seen.has(n)) issues.error(c.at('name'), `"${n}" is used by another container of this pod`);
    if (typeof n === 'string') seen.add(n);
  }

  const portMappings = hostPortsOf(podSpec, issues);
  const hostname = nameField(podSpec, 'hostname', false);
  const subdomain = nameField(podSpec, 'subdomain', false);
  const restart = podSpec.oneOf('restartPolicy', Object.keys(RESTART));
  const grace = podSpec.int('terminationGracePeriodSeconds', { min: 0, range: 'a number of seconds, 0 or more' });
  const dns = dnsOf(podSpec);
  const hostAliases = hostAliasesOf(podSpec);
  const sharePid = podSpec.bool('shareProcessNamespace') ?? false;
  if (issues.errors.length > 0) return undefined;
  try {
    return buildPodSpec(
      {
        name: name ?? '',
        namespace,
        ...(hostname !== undefined ? { hostname } : {}),
        ...(subdomain !== undefined ? { subdomain } : {}),
        labels,
        annotations,
        networks,
        portMappings,
        ...dns,
        hostAliases,
        sharePid,
        restartPolicy: RESTART[restart ?? 'Always']!,
        initContainers: initContainers.filter((c): c is ContainerSpec => c !== undefined),
        containers: containers.filter((c): c is ContainerSpec => c !== undefined),
        stopTimeout: grace ?? K8S_DEFAULT_GRACE_SECONDS,
        ...(volumes.length > 0 ? { volumes } : {}),
        ...(defaults.session ? { session: defaults.session } : {}),
      },
      { network: defaults.defaultNetwork, pauseImage: defaults.pauseImage },
    );
  } catch (err) {
    // What the field checks above let through but a pod cannot have (e.g. a search domain with a space).
    if (!isPodctlError(err)) throw err;
    issues.error('spec', err.message);
    return undefined;
  }
}

function labelsOf(meta: Fields): Record<string, string> {
  const labels = meta.stringMap('labels') ?? {};
  for (const [key, value] of Object.entries(labels)) {
    const path = childPath(meta.at('labels'), key);
    const problem = qualifiedNameProblem(key);
    if (problem) meta.issues.error(path, `key ${problem}`);
    else if (isPodctlLabelKey(key)) meta.issues.error(path, 'io.podctl.* labels are podctl\'s own');
    const valueProblem = labelValueProblem(value);
    if (valueProblem) meta.issues.error(path, `value ${valueProblem}`);
  }
  return labels;
}

function networksOf(annotations: Record<string, string>, fallback: string, path: string, issues: ManifestIssues): string[] {
  const primary = annotations[DEFAULT_NETWORK_ANNOTATION]?.trim() || fallback;
  const extraPath = childPath(path, NETWORKS_ANNOTATION);
  const extra = parseNetworksAnnotation(annotations[NETWORKS_ANNOTATION] ?? '', extraPath, issues);
  if (extra.includes(primary) || new Set(extra).size !== extra.length) issues.error(extraPath, 'lists a network twice (the primary network counts)');
  return [primary, ...extra];
}

/** `hostPort` on any container port publishes it on the host, through the portMappings capability. */
function hostPortsOf(podSpec: Fields, issues: ManifestIssues): PortMapping[] {
  const mappings: PortMapping[] = [];
  for (const c of podSpec.list('containers')) {
    for (const p of c.list('ports')) {
      const hostPort = p.int('hostPort', { min: 0, max: 65535, range: '0-65535' });
      const hostIP = p.string('hostIP');
      if (hostIP !== undefined && !isIP(hostIP)) issues.error(p.at('hostIP'), 'must be an IP address');
      const containerPort = p.raw('containerPort');
      if (!hostPort || typeof containerPort !== 'number') continue;
      const protocol = (typeof p.raw('protocol') === 'string' ? String(p.raw('protocol')) : 'TCP').toLowerCase() as PortMapping['protocol'];
      const clash = mappings.find((m) => m.hostPort === hostPort && m.protocol === protocol && (!m.hostIP || !hostIP || m.hostIP === hostIP));
      if (clash) issues.error(p.at('hostPort'), `${hostPort}/${protocol.toUpperCase()} is already used by another port of this pod`);
      mappings.push({ hostPort, containerPort, protocol, ...(hostIP && hostIP !== '0.0.0.0' ? { hostIP } : {}) });
    }
  }
  return mappings;
}

function dnsOf(podSpec: Fields): { dns?: DnsSpec } {
  const asked = podSpec.oneOf('dnsPolicy', ['ClusterFirst', 'Default', 'None', 'ClusterFirstWithHostNet'] as const);
  // The kubelet treats ClusterFirstWithHostNet as ClusterFirst for a pod off the host's network, as every podctl pod is.
  const policy = asked === 'ClusterFirstWithHostNet' ? 'ClusterFirst' : (asked ?? 'ClusterFirst');
  const config = podSpec.object('dnsConfig');
  if (!config) {
    if (policy === 'None') podSpec.issues.error(podSpec.at('dnsConfig'), 'is required when dnsPolicy is None');
    return policy === 'ClusterFirst' ? {} : { dns: { policy, servers: [], searches: [], options: [] } };
  }
  config.only(['nameservers', 'searches', 'options']);
  const servers = config.strings('nameservers') ?? [];
  servers.forEach((s, i) => isIP(s) || config.issues.error(`${config.at('nameservers')}[${i}]`, 'must be an IP address'));
  if (servers.length > 3) config.issues.error(config.at('nameservers'), 'must list at most 3 servers');
  if (policy === 'None' && servers.length === 0) config.issues.error(config.at('nameservers'), 'must list a server when dnsPolicy is None');
  const options = config.list('options').map((o) => {
    o.only(['name', 'value']);
    const name = o.string('name', { required: true }) ?? '';
    const value = o.string('value');
    return value === undefined ? name : `${name}:${value}`;
  });
  // The policy is written only where the spec's default (servers: None, else ClusterFirst) differs.
  const implied = servers.length > 0 ? 'None' : 'ClusterFirst';
  return { dns: { ...(policy !== implied ? { policy } : {}), servers, searches: config.strings('searches') ?? [], options } };
}

function hostAliasesOf(podSpec: Fields): PodSpec['hostAliases'] {
  return podSpec.list('hostAliases').map((a) => {
    a.only(['ip', 'hostnames']);
    const ip = a.string('ip', { required: true }) ?? '';
    if (ip && !isIP(ip)) a.issues.error(a.at('ip'), 'must be an IP address');
    return { ip, hostnames: a.strings('hostnames') ?? [] };
  });
}
