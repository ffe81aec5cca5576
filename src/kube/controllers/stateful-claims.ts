import type { Fields } from '../fields.js';
import type { ObjectLookup } from '../object-lookup.js';
import type { KubeObject } from '../objects/store.js';
import { claimVolumeName } from '../pod-volumes.js';
import { isDnsLabel } from '../../util/validate.js';
import { ordinalOf } from './stateful.js';

/**
 * A StatefulSet's `volumeClaimTemplates`, as Kubernetes' controller treats them: pod N of set
 * `web` gets, per template `data`, the claim `data-web-N` (made before the pod if missing,
 * never changed once there), mounted as the pod volume `data`. Claims outlive the pods; the
 * retention policy says whether scale-down and delete remove them too.
 */
export interface ClaimTemplate {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec: Record<string, unknown>;
}

export interface RetentionPolicy {
  whenDeleted: 'Retain' | 'Delete';
  whenScaled: 'Retain' | 'Delete';
}

const POLICY = ['Retain', 'Delete'] as const;

/** `data-web-3`: Kubernetes' claim name for template `data`, set `web`, ordinal 3. */
export const claimName = (template: string, set: string, ordinal: number): string => `${template}-${set}-${ordinal}`;

/**
 * Reads and checks `spec.volumeClaimTemplates` (names: DNS labels, unique, no pod volume of
 * the same name, every claim name of the set's ordinals a DNS label) and the retention policy.
 */
export function readClaimTemplates(spec: Fields, set: string, replicas: number): { templates: ClaimTemplate[]; retention: RetentionPolicy } {
  const templates: ClaimTemplate[] = [];
  const podVolumes = new Set((spec.object('template')?.object('spec')?.list('volumes') ?? []).map((v) => v.raw('name')));
  for (const t of spec.list('volumeClaimTemplates')) {
    t.only(['metadata', 'spec'], { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: '*' });
    const meta = t.object('metadata') ?? t.issues.error(t.at('metadata'), 'is required');
    if (!meta) continue;
    meta.only(['name', 'labels', 'annotations'], { namespace: '*', creationTimestamp: '*' });
    const name = meta.string('name', { required: true });
    if (name === undefined) continue;
    const last = claimName(name, set || 'x', Math.max(0, replicas - 1));
    if (!isDnsLabel(name)) t.issues.error(meta.at('name'), 'must be a DNS-1123 label');
    else if (set && !isDnsLabel(last)) t.issues.error(meta.at('name'), `makes claim names like "${last}", longer than a 63-character DNS-1123 label`);
    if (templates.some((o) => o.name === name)) t.issues.error(meta.at('name'), `"${name}" is used by another volumeClaimTemplate`);
    if (podVolumes.has(name)) t.issues.error(meta.at('name'), `"${name}" is also a volume of spec.template.spec.volumes: the claim template makes that volume, so remove one of them`);
    const labels = meta.stringMap('labels');
    const annotations = meta.stringMap('annotations');
    templates.push({ name, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}), spec: (t.object('spec')?.obj as Record<string, unknown> | undefined) ?? {} });
  }
  const p = spec.object('persistentVolumeClaimRetentionPolicy');
  p?.only(['whenDeleted', 'whenScaled']);
  return { templates, retention: { whenDeleted: p?.oneOf('whenDeleted', POLICY) ?? 'Retain', whenScaled: p?.oneOf('whenScaled', POLICY) ?? 'Retain' } };
}

/** The claims of pod `ordinal`, as records podctl keeps: template labels plus the set's matchLabels, as Kubernetes labels them. */
export function claimsOf(templates: ClaimTemplate[], set: string, namespace: string, ordinal: number, matchLabels: Record<string, string>): KubeObject[] {
  return templates.map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claimName(t.name, set, ordinal), namespace, labels: { ...(t.labels ?? {}), ...matchLabels }, ...(t.annotations ? { annotations: t.annotations } : {}) },
    spec: t.spec,
  }));
}

/** The pod template of pod `ordinal`: each claim template becomes the pod volume of its name. */
export function templateWithClaims<T extends { spec?: Record<string, unknown> }>(template: T, templates: ClaimTemplate[], set: string, ordinal: number): T {
  if (templates.length === 0) return template;
  const volumes = (template.spec?.volumes as unknown[] | undefined) ?? [];
  const claims = templates.map((t) => ({ name: t.name, persistentVolumeClaim: { claimName: claimName(t.name, set, ordinal) } }));
  return { ...template, spec: { ...(template.spec ?? {}), volumes: [...volumes, ...claims] } };
}

/** A lookup that also knows the claims of pod `ordinal` (made just before the pod, or not yet when the template is checked). */
export function lookupWithClaims(objects: ObjectLookup, templates: ClaimTemplate[], set: string, namespace: string, ordinal: number): ObjectLookup {
  if (templates.length === 0) return objects;
  const own = new Set(templates.map((t) => claimName(t.name, set, ordinal)));
  return { ...objects, claimVolume: (ns, name) => (ns === namespace && own.has(name) ? claimVolumeName(ns, name) : objects.claimVolume(ns, name)) };
}

/** Of the given claim names, those a template of the set made (`data-web-N`), with their ordinals. */
export function setClaims(templates: ClaimTemplate[], set: string, names: string[]): Array<{ name: string; ordinal: number }> {
  return names.flatMap((name) => {
    for (const t of templates) {
      const ordinal = ordinalOf(`${t.name}-${set}`, name);
      if (ordinal !== undefined) return [{ name, ordinal }];
    }
    return [];
  });
}
