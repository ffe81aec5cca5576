/** The subset of the Kubernetes core/v1 Pod that podctl writes (field names and types as the API defines them). */
export interface KubeProbe {
  httpGet?: { path: string; port: number; scheme?: 'HTTP' | 'HTTPS' };
  tcpSocket?: { port: number };
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
}

export interface KubeContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  workingDir?: string;
  ports?: Array<{ containerPort: number; protocol: 'TCP' | 'UDP' | 'SCTP'; name?: string; hostPort?: number; hostIP?: string }>;
  startupProbe?: KubeProbe;
  readinessProbe?: KubeProbe;
}

export interface KubePod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
  };
  spec: {
    hostname?: string;
    subdomain?: string;
    initContainers?: KubeContainer[];
    containers: KubeContainer[];
    restartPolicy: 'Always' | 'OnFailure' | 'Never';
    terminationGracePeriodSeconds: number;
    shareProcessNamespace?: boolean;
    dnsPolicy?: 'None' | 'Default' | 'ClusterFirst';
    dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: Array<{ name: string; value?: string }> };
    hostAliases?: Array<{ ip: string; hostnames: string[] }>;
  };
  status?: KubePodStatus;
}

export interface KubePodStatus {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  containerStatuses?: Array<{ name: string; image: string; ready: boolean; restartCount?: number; state: Record<string, Record<string, unknown>> }>;
}

/** `kind: List`, as `kubectl get pods -o yaml` prints several pods. */
export interface KubeList {
  apiVersion: 'v1';
  kind: 'List';
  items: KubePod[];
}
