import { createHash } from 'node:crypto';

/**
 * The replica controllers (Deployment, ReplicaSet, DaemonSet) as pure functions: from the
 * desired state and the pods that exist, what to create and what to delete next. The caller
 * lists the pods once, runs the actions, lists again, until there is nothing left to do.
 */
export interface PodCount {
  total: number;
  ready: number;
}

export interface RolloutInput {
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  /** Pods of the current template. */
  current: PodCount;
  /** Pods of earlier templates. */
  old: PodCount;
}

export interface RolloutStep {
  create: number;
  deleteOld: number;
  deleteCurrent: number;
  /** Nothing left to do. */
  done: boolean;
  /** Pods remain to replace but no step is allowed: new pods are not ready. */
  stuck: boolean;
}

export function rolloutStep(i: RolloutInput): RolloutStep {
  const deleteCurrent = Math.max(0, i.current.total - i.replicas);
  const oldUnready = i.old.total - i.old.ready;
  if (i.old.total === 0) {
    const create = Math.max(0, i.replicas - i.current.total);
    return { create, deleteOld: 0, deleteCurrent, done: create === 0 && deleteCurrent === 0, stuck: false };
  }
  // Surge: never more than replicas + maxSurge pods in all.
  const create = Math.max(0, Math.min(i.replicas - i.current.total, i.replicas + i.maxSurge - i.current.total - i.old.total));
  // Unavailability: ready pods never fall below replicas - maxUnavailable. Old pods that are
  // not ready serve nobody, so they go first and freely.
  const available = i.current.ready + i.old.ready;
  const minAvailable = i.replicas - i.maxUnavailable;
  const healthyDeletable = i.current.ready >= i.replicas ? i.old.ready : Math.max(0, Math.min(i.old.ready, available - minAvailable));
  const deleteOld = oldUnready + healthyDeletable;
  const stuck = create === 0 && deleteOld === 0 && deleteCurrent === 0;
  return { create, deleteOld, deleteCurrent, done: false, stuck };
}

/** maxSurge/maxUnavailable: a number, or a percentage of replicas (surge rounds up, unavailable down, as Kubernetes does). */
export function resolveIntOrPercent(value: number | string | undefined, replicas: number, fallback: string, roundUp: boolean): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return NaN;
  const exact = (Number(m[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

// Kubernetes' SafeEncodeString alphabet: no vowels (no words), no look-alikes.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod template's hash as Kubernetes spells `pod-template-hash`: a 32-bit hash, its decimal digits mapped to safe letters. */
export function templateHash(canonicalTemplate: string): string {
  const n = createHash('sha256').update(canonicalTemplate).digest().readUInt32BE(0);
  return [...String(n)].map((d) => ALPHABET[d.charCodeAt(0) % ALPHABET.length]).join('');
}

/** The random suffix of a pod name (`web-5d8f7c9b4-x7k2q`), 5 safe letters. */
export function podSuffix(random: () => number = Math.random): string {
  return Array.from({ length: 5 }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
}
