import { Fields, ManifestIssues } from '../fields.js';
import { isPortName, labelValueProblem, qualifiedNameProblem } from '../k8s-names.js';
import { isDnsLabel } from '../../util/validate.js';
import { ipFamily } from '../../util/ip.js';
import { HEADLESS, type ServicePort, type ServiceSpec } from '../../service/types.js';

export interface ParsedService {
  spec: ServiceSpec;
  unsupported: string[];
}

/** A Service name is a DNS-1035 label: it becomes a DNS name and an env var prefix. */
const isServiceName = (v: string) => isDnsLabel(v) && /^[a-z]/.test(v);

/**
 * Reads a `kind: Service` (v1) document. Every malformed field is reported with its path;
 * fields podctl does not honour come back as `unsupported`. Checks that need the other
 * services (a taken clusterIP or nodePort) happen at allocation.
 */
export function serviceFromManifest(value: unknown, defaultNamespace: string): { parsed?: ParsedService; issues: ManifestIssues } {
  const issues = new ManifestIssues();
  const doc = Fields.of(value, '', issues);
  if (!doc) return { issues };
  if (doc.string('apiVersion') !== 'v1') issues.error('apiVersion', 'must be v1 for kind Service');
  doc.only(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const meta = doc.object('metadata') ?? issues.error('metadata', 'is required');
  const name = meta?.string('name', { required: true });
  if (name !== undefined && !isServiceName(name)) issues.error('metadata.name', 'must be a lowercase DNS label starting with a letter (a-z, 0-9, "-", at most 63)');
  const namespace = meta?.string('namespace') ?? defaultNamespace;
  if (!isDnsLabel(namespace)) issues.error('metadata.namespace', 'must be a lowercase DNS label');
  const labels = meta?.stringMap('labels') ?? {};
  const annotations = meta?.stringMap('annotations') ?? {};
  meta?.only(['name', 'namespace', 'labels', 'annotations', 'uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields'], {
    uid: '*',
    resourceVersion: '*',
    creationTimestamp: '*',
    generation: '*',
    managedFields: '*',
  });
  const spec = doc.object('spec') ?? issues.error('spec', 'is required');
  if (!spec) return { issues };
  spec.only(['selector', 'type', 'clusterIP', 'ports'], {
    clusterIPs: '*',
    sessionAffinity: 'None',
    ipFamilies: '*',
    ipFamilyPolicy: 'SingleStack',
    internalTrafficPolicy: 'Cluster',
    externalTrafficPolicy: 'Cluster',
  });
  const selector = spec.stringMap('selector') ?? {};
  if (Object.keys(selector).length === 0) issues.error('spec.selector', 'is required: podctl fills endpoints from the pods a selector matches (it has no hand-made Endpoints)');
  for (const [k, v] of Object.entries({ ...labels, ...selector })) {
    const problem = qualifiedNameProblem(k) ?? labelValueProblem(v);
    if (problem) issues.error(`spec.selector[${JSON.stringify(k)}]`, problem);
  }
  const type = spec.oneOf('type', ['ClusterIP', 'NodePort'] as const) ?? 'ClusterIP';
  const clusterIP = readClusterIP(spec);
  if (clusterIP === HEADLESS && type === 'NodePort') issues.error('spec.clusterIP', 'cannot be None for a NodePort service');
  const ports = readPorts(spec, type, clusterIP === HEADLESS);
  if (issues.errors.length > 0 || name === undefined) return { issues };
  return {
    parsed: { spec: { name, namespace, labels, ...(Object.keys(annotations).length ? { annotations } : {}), selector, type, ports, ...(clusterIP ? { clusterIP } : {}) }, unsupported: issues.unsupported },
    issues,
  };
}

function readClusterIP(spec: Fields): string | undefined {
  const ip = spec.string('clusterIP');
  if (ip === undefined || ip === '') return undefined;
  if (ip !== HEADLESS && ipFamily(ip) !== 4) return spec.issues.error('spec.clusterIP', 'must be an IPv4 address or None');
  return ip;
}

function readPorts(spec: Fields, type: ServiceSpec['type'], headless: boolean): ServicePort[] {
  const list = spec.list('ports');
  if (list.length === 0 && !headless) spec.issues.error('spec.ports', 'is required: at least one port');
  const ports: ServicePort[] = [];
  for (const p of list) {
    p.only(['name', 'protocol', 'port', 'targetPort', 'nodePort'], { appProtocol: '*' });
    const name = p.string('name');
    if (name !== undefined && !isDnsLabel(name)) p.issues.error(p.at('name'), 'must be a lowercase DNS label');
    if (name === undefined && list.length > 1) p.issues.error(p.at('name'), 'is required when a service has more than one port');
    const protocol = p.oneOf('protocol', ['TCP', 'UDP'] as const) ?? 'TCP';
    const port = p.int('port', { required: true, min: 1, max: 65535 });
    const targetPort = readTargetPort(p) ?? port;
    const nodePort = p.int('nodePort', { min: 1, max: 65535 });
    if (nodePort !== undefined && type !== 'NodePort') p.issues.error(p.at('nodePort'), 'is only allowed for type NodePort');
    if (port === undefined || targetPort === undefined) continue;
    if (ports.some((o) => o.port === port && o.protocol === protocol)) p.issues.error(p.at('port'), `${protocol} ${port} is given twice`);
    if (name !== undefined && ports.some((o) => o.name === name)) p.issues.error(p.at('name'), `${name} is given twice`);
    ports.push({ ...(name ? { name } : {}), protocol, port, targetPort, ...(nodePort !== undefined ? { nodePort } : {}) });
  }
  return ports;
}

function readTargetPort(p: Fields): number | string | undefined {
  const v = p.raw('targetPort');
  if (v === undefined) return undefined;
  if (typeof v === 'string' && /^\d+$/.test(v)) {
    const n = Number(v);
    return n >= 1 && n <= 65535 ? n : p.issues.error(p.at('targetPort'), 'must be 1-65535');
  }
  if (typeof v === 'string') return isPortName(v) ? v : p.issues.error(p.at('targetPort'), 'must be a port number or a container port name');
  return p.int('targetPort', { min: 1, max: 65535 });
}
