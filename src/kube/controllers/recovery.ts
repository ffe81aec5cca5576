import type { PodView } from '../../pod/status.js';

/**
 * What a workload controller does with one of its pods that is down, as the kubelet and the
 * ReplicaSet controller would: `restart` it in place when its sandbox can be brought back (the
 * pause stopped with the engine, or a reboot took its namespace: a new CNI ADD, the restart
 * counted), `replace` it when there is nothing left to restart (its pause container or its
 * checkpoint is gone). A pod whose pause runs is left to Docker's restart policy (a crash loop
 * is not ready, and the rollout step treats it so); one being created or removed belongs to
 * the command doing it.
 */
export type Recovery = 'restart' | 'replace';

export function recoveryOf(view: Pick<PodView, 'state' | 'pause'>): Recovery | undefined {
  switch (view.state) {
    case 'stopped':
    case 'created':
      return 'restart';
    case 'degraded':
      return view.pause.state === 'running' ? undefined : 'restart';
    case 'dead':
    case 'unknown':
      return 'replace';
    default:
      return undefined;
  }
}
