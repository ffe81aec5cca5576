/**
 * The StatefulSet controller (podManagementPolicy OrderedReady) as a pure function: pods have
 * stable ordinals; they are made in order 0, 1, ... each only once every lower one is ready;
 * removed from the highest down; replaced on a template change from the highest down, one at a
 * time. The caller does the one step, lists the pods again, and asks again.
 */
export interface StatefulPod {
  ordinal: number;
  ready: boolean;
  /** Made from the current template. */
  current: boolean;
}

export type StatefulStep =
  | { action: 'create'; ordinal: number }
  | { action: 'delete'; ordinal: number }
  /** A pod below is not ready: nothing may happen above it. */
  | { action: 'wait'; ordinal: number }
  | { action: 'done' };

export function statefulStep(replicas: number, pods: StatefulPod[]): StatefulStep {
  const at = new Map(pods.map((p) => [p.ordinal, p]));
  for (let i = 0; i < replicas; i++) {
    const pod = at.get(i);
    if (!pod) return { action: 'create', ordinal: i };
    if (!pod.ready) return { action: 'wait', ordinal: i };
  }
  const surplus = pods.filter((p) => p.ordinal >= replicas).sort((a, b) => b.ordinal - a.ordinal);
  if (surplus.length > 0) return { action: 'delete', ordinal: surplus[0]!.ordinal };
  const stale = pods.filter((p) => !p.current).sort((a, b) => b.ordinal - a.ordinal);
  if (stale.length > 0) return { action: 'delete', ordinal: stale[0]!.ordinal };
  return { action: 'done' };
}

/** `web-3` → 3 for StatefulSet `web`; undefined for any other name. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  const m = /^(\d+)$/.exec(podName.startsWith(`${setName}-`) ? podName.slice(setName.length + 1) : '');
  return m && (m[1] === '0' || !m[1]!.startsWith('0')) ? Number(m[1]) : undefined;
}
