import { createHash } from 'node:crypto';
import type { OwnerRef } from '../../pod/spec.js';
import { API_VERSION } from '../object-ref.js';

/**
 * Owner references and the garbage collector's decisions, as pure functions: which owner a
 * pod names (pod → ReplicaSet → Deployment, pod → Job, StatefulSet, DaemonSet, ReplicaSet),
 * the uid of a Deployment's ReplicaSet, and which pods lost their owner.
 */

/** Kubernetes' deletion propagation (DeleteOptions.propagationPolicy). */
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';
export const PROPAGATION_POLICIES: readonly PropagationPolicy[] = ['Background', 'Foreground', 'Orphan'];

/** The finalizer each policy that keeps the owner for a while puts on it, as the API server does. */
export const FINALIZER: Record<Exclude<PropagationPolicy, 'Background'>, string> = { Foreground: 'foregroundDeletion', Orphan: 'orphan' };

/** The reference a controller puts on what it makes (controller and blockOwnerDeletion set). */
export function controllerRef(kind: string, name: string, uid: string): OwnerRef {
  return { apiVersion: API_VERSION[kind] ?? 'v1', kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/**
 * The uid of a Deployment's ReplicaSet for one template hash. podctl keeps no record of a
 * Deployment's ReplicaSets (they are shown from its pods), so their uid is derived: the same
 * for the same Deployment and hash in every process, and a new Deployment of the same name
 * (a new uid) has new ones. In the form of a name-based (version 5) UUID.
 */
export function replicaSetUid(deploymentUid: string, hash: string): string {
  const h = createHash('sha1').update(`${deploymentUid}/replicaset/${hash}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An owner that exists now: its kind, namespace and name with its uid. */
export interface LiveOwner {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

/**
 * The owners that exist, from the stored workloads and, for each Deployment, the ReplicaSet of
 * each template hash its pods carry (shown from them, never stored).
 */
export function liveOwners(workloads: LiveOwner[], deploymentHashes: (d: LiveOwner) => string[]): LiveOwner[] {
  const out = [...workloads];
  for (const d of workloads.filter((w) => w.kind === 'Deployment')) {
    for (const hash of deploymentHashes(d)) out.push({ kind: 'ReplicaSet', namespace: d.namespace, name: `${d.name}-${hash}`, uid: replicaSetUid(d.uid, hash) });
  }
  return out;
}

/**
 * The pods the garbage collector deletes: those whose controlling owner no longer exists (no
 * live owner of that kind, namespace and name has that uid: a workload of the same name made
 * again is another owner). Pods without a controller reference are no one's garbage.
 */
export function orphanedPods<P extends { namespace: string; ownerReferences?: OwnerRef[] }>(pods: P[], owners: LiveOwner[]): P[] {
  const live = new Set(owners.map((o) => `${o.kind}/${o.namespace}/${o.name}/${o.uid}`));
  return pods.filter((p) => {
    const ref = p.ownerReferences?.find((r) => r.controller);
    return ref !== undefined && !live.has(`${ref.kind}/${p.namespace}/${ref.name}/${ref.uid}`);
  });
}

/** The references left on a dependent once `ownerUid` orphans it (Orphan propagation). */
export function withoutOwner(refs: OwnerRef[] | undefined, ownerUid: string): OwnerRef[] {
  return (refs ?? []).filter((r) => r.uid !== ownerUid);
}
