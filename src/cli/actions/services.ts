import type { Command } from 'commander';
import { clusterIPText, endpointsManifest, serviceManifest } from '../../kube/kinds/service-output.js';
import { endpointsTable, serviceTable, visibleColumns } from '../../kube/tables.js';
import type { ServiceEndpoints } from '../../service/types.js';
import { serviceFromManifest } from '../../kube/kinds/service.js';
import { exposedSelector } from '../../kube/kinds/service-expose.js';
import { ObjectStore } from '../../kube/objects/store.js';
import { DEFAULT_NAMESPACE } from '../../pod/spec.js';
import { userLabels } from '../../pod/labels.js';
import { PodctlError, invalidArgument } from '../../util/errors.js';
import { openPods } from '../context.js';
import { serviceKindOf } from '../resource-names.js';
import { parseOutputFormat, renderStructured, renderTable, write } from '../output.js';
import { serviceRefText } from '../../kube/kinds/service-apply.js';

/** `podctl get svc|endpoints [NAME...] [-n NS|-A] [-o ...]`. */
export async function getResource(cmd: Command, resource: string, names: string[]): Promise<void> {
  const opts = cmd.opts() as { output?: string; namespace?: string; allNamespaces?: boolean };
  const format = parseOutputFormat(opts.output, ['table', 'wide', 'name', 'json', 'yaml']);
  const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? DEFAULT_NAMESPACE);
  const pods = await openPods(cmd);
  const listed = await pods.services.list(namespace);
  const chosen = names.length === 0 ? listed : names.map((n) => listed.find((s) => s.service.name === n) ?? notFound(n, namespace ?? DEFAULT_NAMESPACE));
  const endpoints = serviceKindOf(resource) === 'Endpoints';
  if (format === 'name') return write(chosen.map((s) => `${endpoints ? 'endpoints' : 'service'}/${s.service.name}\n`).join(''));
  if (format === 'json' || format === 'yaml') {
    const items = chosen.map(endpoints ? endpointsManifest : serviceManifest);
    return write(await renderStructured(names.length === 1 ? items[0] : { apiVersion: 'v1', kind: 'List', items }, format));
  }
  const all = opts.allNamespaces ? ['NAMESPACE'] : [];
  const ns = (s: ServiceEndpoints) => (opts.allNamespaces ? [s.service.namespace] : []);
  const table = visibleColumns((endpoints ? endpointsTable : serviceTable)(chosen), format === 'wide');
  write(renderTable([...all, ...table.headers], table.rows.map((r, i) => [...ns(chosen[i]!), ...r])));
}

const selectorText = (selector: Record<string, string>) => Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');

function notFound(name: string, namespace: string): never {
  throw new PodctlError('NOT_FOUND', `service ${namespace}/${name} not found`, { hint: 'list services with podctl get svc -A' });
}

/** `podctl describe svc NAME`: what kubectl shows, endpoints included. */
export async function describeAction(cmd: Command, resource: string, name: string): Promise<void> {
  if (serviceKindOf(resource) !== 'Service') throw invalidArgument(`describe: resource type "${resource}" is not known`, 'podctl describes services: podctl describe svc NAME');
  const opts = cmd.opts() as { namespace?: string };
  const pods = await openPods(cmd);
  const s = await pods.services.get({ name, namespace: opts.namespace ?? DEFAULT_NAMESPACE });
  const { service } = s;
  const lines = [
    ['Name:', service.name],
    ['Namespace:', service.namespace],
    ['Labels:', selectorText(service.labels) || '<none>'],
    ['Selector:', selectorText(service.selector)],
    ['Type:', service.type],
    ['IP:', clusterIPText(s)],
  ];
  for (const { port, endpoints } of s.ports) {
    lines.push(['Port:', `${port.name ?? '<unset>'}  ${port.port}/${port.protocol}`]);
    lines.push(['TargetPort:', `${port.targetPort}/${port.protocol}`]);
    if (port.nodePort !== undefined) lines.push(['NodePort:', `${port.name ?? '<unset>'}  ${port.nodePort}/${port.protocol}`]);
    lines.push(['Endpoints:', endpoints.map((e) => `${e.ip}:${e.port}`).join(',') || '<none>']);
  }
  lines.push(['Session Affinity:', 'None']);
  if (s.unresolved.length) lines.push(['Warnings:', `targetPort ${s.unresolved.join(', ')} is declared by no selected container`]);
  const width = Math.max(...lines.map(([k]) => k!.length)) + 1;
  write(lines.map(([k, v]) => `${k!.padEnd(width)}${v}\n`).join(''));
}

const EXPOSABLE: Record<string, string> = {
  pod: 'Pod', pods: 'Pod', po: 'Pod',
  deployment: 'Deployment', deployments: 'Deployment', deploy: 'Deployment',
  replicaset: 'ReplicaSet', replicasets: 'ReplicaSet', rs: 'ReplicaSet',
};

/** The selector kubectl would give: a pod's labels, or a Deployment's/ReplicaSet's matchLabels. */
async function selectorToExpose(pods: Awaited<ReturnType<typeof openPods>>, kind: string, name: string, namespace: string): Promise<Record<string, string>> {
  if (kind !== 'Pod') {
    const obj = await new ObjectStore(pods.stateDir).get(kind, namespace, name);
    if (!obj) throw new PodctlError('NOT_FOUND', `${kind.toLowerCase()} ${namespace}/${name} not found`, { hint: `list them with podctl get ${kind.toLowerCase()}s` });
    return exposedSelector(obj);
  }
  const pod = await pods.getSpec({ name, namespace });
  if (!pod) throw new PodctlError('NOT_FOUND', `pod ${namespace}/${name} not found`, { hint: 'list pods with podctl ps -a' });
  const selector = userLabels(pod.labels);
  if (Object.keys(selector).length === 0) throw new PodctlError('FAILED_PRECONDITION', `pod ${name} has no labels to select it by`, { hint: 'run it with --label app=NAME (or apply a manifest with labels), then expose it' });
  return selector;
}

/** `podctl expose pod|deployment|replicaset NAME --port P`: a Service as kubectl makes one. */
export async function exposeAction(cmd: Command, resource: string, targetName: string): Promise<void> {
  const kind = EXPOSABLE[resource.toLowerCase().replace(/\.apps$/, '')];
  if (!kind) throw invalidArgument(`expose: resource type "${resource}" is not known`, 'podctl exposes pods, deployments and replicasets: podctl expose deployment NAME --port P');
  const opts = cmd.opts() as { port: string; targetPort?: string; type?: string; name?: string; protocol?: string; namespace?: string; clusterIp?: string; nodePort?: string };
  const asNumber = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : v);
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const pods = await openPods(cmd);
  const selector = await selectorToExpose(pods, kind, targetName, namespace);
  // The flags become a manifest, so they are checked exactly as `apply -f` checks one.
  const port = { port: asNumber(opts.port), targetPort: asNumber(opts.targetPort ?? opts.port), protocol: opts.protocol?.toUpperCase(), nodePort: asNumber(opts.nodePort) };
  const manifest = { apiVersion: 'v1', kind: 'Service', metadata: { name: opts.name ?? targetName, namespace }, spec: { type: opts.type, clusterIP: opts.clusterIp, selector, ports: [port] } };
  const { parsed, issues } = serviceFromManifest(manifest, namespace);
  const flagOf: Record<string, string> = { port: '--port', targetPort: '--target-port', protocol: '--protocol', nodePort: '--node-port', type: '--type', clusterIP: '--cluster-ip', name: '--name' };
  if (!parsed || issues.errors[0]) {
    const e = issues.errors[0]!;
    throw invalidArgument(`${flagOf[e.path.split('.').pop()!] ?? e.path}: ${e.reason}`, 'fix the flag and try again');
  }
  const service = parsed.spec;
  const { outcome, service: applied } = await pods.services.apply(service);
  for (const name of applied.unresolved) process.stderr.write(`podctl: warning: ${serviceRefText(service)}: targetPort ${name} is not a port any selected container declares\n`);
  write(`${serviceRefText(service)} ${outcome === 'created' ? 'exposed' : outcome}\n`);
}

/** `podctl watch`: until Ctrl-C (or SIGTERM), one line per sync on stderr with -v. */
export async function watchAction(cmd: Command): Promise<void> {
  const pods = await openPods(cmd);
  const abort = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => abort.abort());
  const { livenessEventRecorder } = await import('./objects.js');
  const onUnhealthy = await livenessEventRecorder(cmd);
  process.stderr.write('podctl: watching Docker events; Services follow pods and liveness probes run until Ctrl-C\n');
  await pods.watchServices(abort.signal, undefined, onUnhealthy);
}
