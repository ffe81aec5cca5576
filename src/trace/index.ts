import { basename } from 'node:path';
import type { PodManager } from '../pod/manager.js';
import type { PodView } from '../pod/status.js';
import { PodctlError } from '../util/errors.js';
import { runProgram } from '../util/run-command.js';
import { gatherAndTrace } from './gather/gather.js';
import { serviceInfo } from './services.js';
import type { PodInfo, ServiceInfo, TraceRequest, TraceResult, TraceSnapshot } from './types.js';

export interface TraceOptions {
  /** podctl's Services with their endpoints: needed for `svc/NAME`, and to name services on the path. */
  services?: ServiceInfo[];
}

export type * from './types.js';
export { tracePath } from './path.js';

/**
 * Follows one request through this host's real network: `podctl trace` as a library call.
 * Reads the pods from podctl (one Docker list call) and the network from the kernel; changes
 * nothing. Returns the hops in order and one verdict.
 */
export async function trace(pods: PodManager, request: TraceRequest, options: TraceOptions = {}): Promise<TraceResult> {
  return (await traceWithSnapshot(pods, request, options)).result;
}

/** The same, with the snapshot it was computed from (`podctl trace --save-snapshot`). */
export async function traceWithSnapshot(pods: PodManager, request: TraceRequest, options: TraceOptions = {}): Promise<{ result: TraceResult; snapshot: TraceSnapshot }> {
  const views = await pods.list({ all: true });
  const infos = views.filter((v) => v.state === 'running' || v.state === 'degraded').map(podInfo);
  for (const end of [request.from, request.to]) {
    if (end.kind !== 'pod') continue;
    const ref = `${end.namespace}/${end.name}`;
    const view = views.find((v) => v.name === end.name && v.namespace === end.namespace);
    if (!view) throw new PodctlError('NOT_FOUND', `pod ${ref} not found`, { hint: 'list pods with podctl ps -A' });
    if (!infos.some((p) => p.name === end.name && p.namespace === end.namespace) || view.ips.length === 0) {
      throw new PodctlError('FAILED_PRECONDITION', `pod ${ref} is ${view.state} and has no network to trace`, { hint: `start it first (podctl start ${end.name} -n ${end.namespace})` });
    }
  }
  const services = options.services ?? (await pods.services.list()).map(serviceInfo);
  return gatherAndTrace(withServicePort(request, services), infos, runProgram, services);
}

/** `svc/NAME` must name a service with a ClusterIP; without -p (port 0) the trace takes its first port. */
function withServicePort(request: TraceRequest, services: ServiceInfo[] | undefined): TraceRequest {
  const to = request.to;
  if (to.kind !== 'service') return request;
  if (!services) throw new PodctlError('FAILED_PRECONDITION', `${to.namespace}/${to.name}: tracing svc/NAME needs podctl's Services, which this build does not have`, { hint: 'trace one of its pods, or its address' });
  const service = services.find((s) => s.name === to.name && s.namespace === to.namespace);
  if (!service) throw new PodctlError('NOT_FOUND', `service ${to.namespace}/${to.name} not found`, { hint: 'list services with podctl get svc -A' });
  if (service.clusterIP === 'None') throw new PodctlError('FAILED_PRECONDITION', `service ${to.namespace}/${to.name} is headless: it has no ClusterIP`, { hint: 'trace one of its pods' });
  const first = service.ports.find((p) => p.protocol === request.protocol) ?? service.ports[0];
  return request.port === 0 && first ? { ...request, port: first.port, protocol: first.protocol } : request;
}

const plainIp = (cidr: string): string => cidr.split('/')[0] ?? cidr;

export function podInfo(v: PodView): PodInfo {
  return {
    name: v.name,
    namespace: v.namespace,
    netns: basename(v.netns),
    ips: v.ips.map(plainIp),
    containers: v.containers.filter((c) => c.role === 'app').map((c) => c.name),
    networks: v.networks.map((n) => ({ name: n.name, ifname: n.ifname, ips: n.ips.map(plainIp) })),
  };
}
