/**
 * The Service model: what `kind: Service` manifests, `podctl expose` and the library turn into,
 * and what podctl stores as its desired state (one record per service under the state dir).
 */
export type ServiceProtocol = 'TCP' | 'UDP';
export type ServiceType = 'ClusterIP' | 'NodePort';

export interface ServicePort {
  /** Required when a service has more than one port, as in Kubernetes. */
  name?: string;
  protocol: ServiceProtocol;
  port: number;
  /** A container port number, or the name of a port a selected container declares. */
  targetPort: number | string;
  nodePort?: number;
}

export interface ServiceSpec {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Kept as given (kubectl's last-applied-configuration among them); absent when none. */
  annotations?: Record<string, string>;
  selector: Record<string, string>;
  type: ServiceType;
  /** An address of the service range, `None` for a headless service, or undefined to allocate one. */
  clusterIP?: string;
  ports: ServicePort[];
}

/** A stored service: its spec with every address allocated. */
export interface ServiceRecord extends ServiceSpec {
  version: 1;
  clusterIP: string;
  uid: string;
  createdAt: string;
}

export const HEADLESS = 'None';

export const isHeadless = (service: Pick<ServiceSpec, 'clusterIP'>): boolean => service.clusterIP === HEADLESS;

/** One ready pod behind a service port. */
export interface Endpoint {
  ip: string;
  port: number;
  pod: string;
}

export interface ServicePortEndpoints {
  port: ServicePort;
  endpoints: Endpoint[];
}

/** A service with its endpoints per port: what the rules and `get endpoints` are made from. */
export interface ServiceEndpoints {
  service: ServiceRecord;
  ports: ServicePortEndpoints[];
  /** Ready pod IPs (headless services resolve to these). */
  podIPs: string[];
  /** Headless only: ready pods whose spec.subdomain names the service, by their spec.hostname. */
  podHosts?: Array<{ ip: string; hostname: string }>;
  /** targetPort names no selected container declares (Kubernetes warns and leaves them out). */
  unresolved: string[];
}

/** Where services live on this host. */
export interface ServiceNetwork {
  /** ClusterIPs come from here; it must not overlap pod, Docker or podman networks. */
  serviceCidr: string;
  nodePortRange: { min: number; max: number };
}

export const DEFAULT_SERVICE_NETWORK: ServiceNetwork = {
  serviceCidr: '10.96.0.0/16',
  nodePortRange: { min: 30000, max: 32767 },
};

/**
 * Where NodePorts answer to anyone besides the host and pods (kube-proxy's
 * --nodeport-addresses): nowhere ('default': 127.0.0.1 and the bridge address, to the host and
 * pods only), every local address ('all'), or the local addresses in these IPv4 prefixes.
 */
export type NodePortAddresses = 'default' | 'all' | string[];
