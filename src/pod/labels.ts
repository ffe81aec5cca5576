/** The Docker labels by which podctl finds its containers again: its only index. */
export const LABEL = {
  pod: 'io.podctl.pod',
  namespace: 'io.podctl.namespace',
  role: 'io.podctl.role',
  container: 'io.podctl.container',
  pauseId: 'io.podctl.pause-id',
  networks: 'io.podctl.networks',
  session: 'io.podctl.session',
} as const;

export type ContainerRole = 'pause' | 'app' | 'init';

/** The label filter that lists every container of every pod in one call. */
export const ALL_PODS_FILTER = [LABEL.pod];

export function podFilter(name: string, namespace: string): string[] {
  return [`${LABEL.pod}=${name}`, `${LABEL.namespace}=${namespace}`];
}

export function isPodctlLabelKey(key: string): boolean {
  return key.startsWith('io.podctl.');
}

/** The user's own labels, without podctl's bookkeeping. */
export function userLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !isPodctlLabelKey(key)));
}
