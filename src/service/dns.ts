import { isHeadless, type ServiceEndpoints, type ServiceRecord } from './types.js';

/**
 * Cluster DNS through each pod's hosts file: getaddrinfo reads it first in glibc, musl and
 * busybox alike, so every program in the pod resolves service names with no resolver running.
 * A hosts file has no search list, so every name a pod may use is written out: in its own
 * namespace `<svc>` too, in every namespace `<svc>.<ns>`, `<svc>.<ns>.svc` and the FQDN.
 */
export const CLUSTER_DOMAIN = 'cluster.local';
export const HOSTS_MARK = '# podctl services (rewritten on every change)';

export function serviceNames(service: Pick<ServiceRecord, 'name' | 'namespace'>, podNamespace: string): string[] {
  const fqdn = `${service.name}.${service.namespace}.svc.${CLUSTER_DOMAIN}`;
  const names = [fqdn, `${service.name}.${service.namespace}.svc`, `${service.name}.${service.namespace}`];
  return service.namespace === podNamespace ? [...names, service.name] : names;
}

/** The services block of a pod's hosts file: ClusterIPs, one line per ready pod for headless services, and their pods' own names. */
export function renderServiceHosts(services: ServiceEndpoints[], podNamespace: string): string {
  const lines: string[] = [];
  const sorted = [...services].sort((a, b) => `${a.service.namespace}/${a.service.name}`.localeCompare(`${b.service.namespace}/${b.service.name}`));
  for (const { service, podIPs, podHosts } of sorted) {
    const names = serviceNames(service, podNamespace);
    const ips = isHeadless(service) ? podIPs : [service.clusterIP];
    for (const ip of ips) lines.push(`${ip}\t${names.join(' ')}`);
    // web-0.nginx.default.svc.cluster.local: a StatefulSet's pods (or any with hostname and subdomain).
    for (const { ip, hostname } of podHosts ?? []) lines.push(`${ip}\t${names.map((n) => `${hostname}.${n}`).join(' ')}`);
  }
  return lines.length ? `${HOSTS_MARK}\n${lines.join('\n')}\n` : '';
}

/** A hosts file with its services block replaced (what the pod itself wrote stays as it was). */
export function withServiceHosts(current: string, block: string): string {
  const at = current.indexOf(HOSTS_MARK);
  const base = at >= 0 ? current.slice(0, at) : current;
  return base + block;
}

/** Kubernetes' search list for a pod of `namespace`, before the host's own. */
export const clusterSearches = (namespace: string): string[] => [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];

const envPrefix = (name: string) => name.toUpperCase().replace(/-/g, '_');

/**
 * Docker-links-style variables Kubernetes gives a pod for each service of its namespace that
 * exists when the pod starts: `<SVC>_SERVICE_HOST`, `<SVC>_SERVICE_PORT` (first port) and
 * `<SVC>_SERVICE_PORT_<NAME>` per named port. Headless services have no address to give.
 */
export function serviceEnv(services: ServiceRecord[], namespace: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of services) {
    if (s.namespace !== namespace || isHeadless(s) || s.ports.length === 0) continue;
    const prefix = envPrefix(s.name);
    env[`${prefix}_SERVICE_HOST`] = s.clusterIP;
    env[`${prefix}_SERVICE_PORT`] = String(s.ports[0]!.port);
    for (const p of s.ports) if (p.name) env[`${prefix}_SERVICE_PORT_${envPrefix(p.name)}`] = String(p.port);
  }
  return env;
}
