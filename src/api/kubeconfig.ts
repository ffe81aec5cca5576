/**
 * kubeconfig files for the served API: the one `podctl kubeconfig` prints (cluster, user and
 * context all named `podctl`), and its merge into an existing file, which keeps every other
 * cluster, user and context and replaces only podctl's own.
 */
export const CONTEXT_NAME = 'podctl';

export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context'?: string;
  preferences?: Record<string, unknown>;
  [key: string]: unknown;
}

export function kubeconfigFor(server: { url: string; caCert: string; token: string }): Kubeconfig {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster: { server: server.url, 'certificate-authority-data': Buffer.from(server.caCert).toString('base64') } }],
    users: [{ name: CONTEXT_NAME, user: { token: server.token } }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME } }],
    'current-context': CONTEXT_NAME,
  };
}

type Named = { name: string };
const replaceNamed = <T extends Named>(list: unknown, ours: T[]): T[] => [...(Array.isArray(list) ? (list as T[]) : []).filter((e) => !ours.some((o) => o.name === e?.name)), ...ours];

/**
 * `ours` merged into `existing` (a parsed kubeconfig, or undefined for none): podctl's entries
 * replaced or added, everything else as it was; the current context stays unless there is none.
 */
export function mergeKubeconfig(existing: Record<string, unknown> | undefined, ours: Kubeconfig): Kubeconfig {
  const base = existing ?? {};
  const current = typeof base['current-context'] === 'string' && base['current-context'] !== '' ? base['current-context'] : ours['current-context'];
  return {
    ...base,
    apiVersion: 'v1',
    kind: 'Config',
    clusters: replaceNamed(base.clusters, ours.clusters),
    users: replaceNamed(base.users, ours.users),
    contexts: replaceNamed(base.contexts, ours.contexts),
    ...(current ? { 'current-context': current } : {}),
  };
}

/** The file `--merge` writes: the first of `$KUBECONFIG`'s list (as kubectl writes new entries), else ~/.kube/config. */
export function kubeconfigPath(env: NodeJS.ProcessEnv, home: string): string {
  const first = (env.KUBECONFIG ?? '').split(':').find((p) => p !== '');
  return first ?? `${home}/.kube/config`;
}
