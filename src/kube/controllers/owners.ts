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

/**
 * Adoption, as Kubernetes' controllers do it (ControllerRefManager): a controller takes the
 * objects its selector matches that have no controller of their own, and a Deployment the
 * ReplicaSets an Orphan delete of an earlier Deployment of its name kept. What another live
 * controller holds is never taken, nor what is being deleted.
 */

/** The labels, references and deletion mark adoption looks at. */
interface Adoptable {
  metadata: { labels?: Record<string, string>; ownerReferences?: OwnerRef[]; deletionTimestamp?: string; uid?: string };
}

/**
 * The ReplicaSet records a Deployment takes back: those of a Deployment (a template hash
 * label), without a controller, not being deleted, whose labels its selector matches.
 */
export function replicaSetsToAdopt<R extends Adoptable>(records: R[], selector: (labels: Record<string, string>) => boolean): R[] {
  return records.filter((o) => {
    const labels = o.metadata.labels ?? {};
    return labels['pod-template-hash'] !== undefined && !o.metadata.ownerReferences?.some((r) => r.controller) && !o.metadata.deletionTimestamp && o.metadata.uid !== undefined && selector(labels);
  });
}

/**
 * Of a controller's pods (its selector's), those it adopts: without a controller reference, or
 * whose controller is one being adopted with them (`adopted`: the uids of the ReplicaSets a
 * Deployment takes back). Those that name `wanted(pod)` already, or another controller, stay.
 */
export function podsToAdopt<P extends { ownerReferences?: OwnerRef[] }>(pods: P[], wanted: (pod: P) => OwnerRef, adopted: ReadonlySet<string> = new Set()): P[] {
  return pods.filter((p) => {
    const ref = p.ownerReferences?.find((r) => r.controller);
    if (ref?.uid === wanted(p).uid) return false;
    return ref === undefined || adopted.has(ref.uid);
  });
}

/** A dependent's references once `owner` adopts it: the controller one replaced, the others kept. */
export function adoptedRefs(refs: OwnerRef[] | undefined, owner: OwnerRef): OwnerRef[] {
  return [...(refs ?? []).filter((r) => !r.controller && r.uid !== owner.uid), owner];
}
