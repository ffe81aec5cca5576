import { PodctlError } from '../../util/errors.js';
import { LABEL } from '../../pod/labels.js';
import { deletePod } from '../apply/apply-pod.js';
import type { PodManager } from '../../pod/manager.js';
import { Fields, childPath, type ManifestIssues } from '../fields.js';
import { isDnsLabel, isDnsSubdomain } from '../../util/validate.js';
import type { ObjectLookup } from '../object-lookup.js';
import { withoutStoreFields, type KubeObject, type ObjectStore } from '../objects/store.js';
import { claimVolumeName } from '../pod-volumes.js';

/**
 * ConfigMap, Secret, Namespace, PersistentVolumeClaim and ServiceAccount: records podctl keeps
 * (a claim also owns a Docker named volume; an account is a record only, as podctl runs no
 * token controller and its pods get no API credentials from it). Reading normalises them: a Secret's `stringData` is merged
 * into `data` as base64, as the API server does.
 */
export function readConfigObject(root: Fields, kind: string, namespace: string): KubeObject | undefined {
  const issues = root.issues;
  const meta = root.object('metadata') ?? issues.error('metadata', 'is required');
  if (!meta) return undefined;
  const name = meta.string('name', { required: true }) ?? '';
  const nameOk = kind === 'ConfigMap' || kind === 'Secret' || kind === 'ServiceAccount' ? isDnsSubdomain(name) : isDnsLabel(name);
  if (name && !nameOk) issues.error(meta.at('name'), 'must be a lowercase DNS-1123 name');
  const metadata: KubeObject['metadata'] = {
    name,
    ...(kind === 'Namespace' ? {} : { namespace: (meta.string('namespace') ?? namespace) }),
    ...(meta.has('labels') ? { labels: meta.stringMap('labels') } : {}),
    ...(meta.has('annotations') ? { annotations: meta.stringMap('annotations') } : {}),
  };
  const base = { apiVersion: 'v1', kind, metadata };
  switch (kind) {
    case 'Namespace':
      return base;
    case 'ConfigMap': {
      const data = root.stringMap('data') ?? {};
      const binary = root.stringMap('binaryData') ?? {};
      checkKeys(root, [...Object.keys(data), ...Object.keys(binary)], issues);
      return { ...base, data, ...(Object.keys(binary).length ? { binaryData: binary } : {}), ...(root.bool('immutable') ? { immutable: true } : {}) };
    }
    case 'Secret': {
      const data = { ...(root.stringMap('data') ?? {}) };
      for (const [k, v] of Object.entries(data)) {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v.replace(/\s/g, '')) || v.replace(/\s/g, '').length % 4 !== 0) issues.error(childPath(root.at('data'), k), 'must be base64 (put plain text under stringData)');
      }
      for (const [k, v] of Object.entries(root.stringMap('stringData') ?? {})) data[k] = Buffer.from(v).toString('base64');
      checkKeys(root, Object.keys(data), issues);
      return { ...base, type: root.string('type') ?? 'Opaque', data };
    }
    case 'ServiceAccount': {
      const kept = ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'].filter((f) => root.has(f));
      return { ...base, ...Object.fromEntries(kept.map((f) => [f, root.raw(f)])) };
    }
    case 'PersistentVolumeClaim': {
      const spec = root.object('spec');
      return { ...base, spec: spec?.obj ?? {} };
    }
  }
  return undefined;
}

/** ConfigMap and Secret keys: letters, digits, "-", "_" or ".". */
function checkKeys(root: Fields, keys: string[], issues: ManifestIssues): void {
  for (const k of keys) if (!/^[-._a-zA-Z0-9]+$/.test(k)) issues.error(childPath(root.at('data'), k), 'key must consist of letters, digits, "-", "_" or "."');
}

/** The objects pods may name: the store's, with those of the same apply laid over them. */
export async function objectLookup(store: ObjectStore, applying: KubeObject[]): Promise<ObjectLookup> {
  const [maps, secrets, claims] = await Promise.all([store.list('ConfigMap'), store.list('Secret'), store.list('PersistentVolumeClaim')]);
  const index = (list: KubeObject[]) => new Map(list.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
  const byKind = (kind: string, stored: KubeObject[]) => {
    const m = index(stored);
    for (const o of applying) if (o.kind === kind) m.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    return m;
  };
  const cms = byKind('ConfigMap', maps);
  const ss = byKind('Secret', secrets);
  const pvcs = byKind('PersistentVolumeClaim', claims);
  return {
    configMap: (ns, name) => {
      const o = cms.get(`${ns}/${name}`);
      if (!o) return undefined;
      const data = Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v).toString('base64')] as [string, string]);
      return new Map([...data, ...Object.entries((o.binaryData ?? {}) as Record<string, string>)]);
    },
    secret: (ns, name) => {
      const o = ss.get(`${ns}/${name}`);
      return o ? new Map(Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [k, v.replace(/\s/g, '')])) : undefined;
    },
    claimVolume: (ns, name) => (pvcs.has(`${ns}/${name}`) ? claimVolumeName(ns, name) : undefined),
  };
}

/** A claim's Docker volume, made unless it exists (labelled io.podctl.pvc=<ns>/<name>). */
export function ensureClaimVolume(pods: PodManager, namespace: string, name: string): Promise<boolean> {
  return pods.volumes.ensure(claimVolumeName(namespace, name), { 'io.podctl.pvc': `${namespace}/${name}` });
}

/** Stores the record; a claim's Docker volume is created with it (and kept when the claim is re-applied). */
export async function applyConfigObject(pods: PodManager, store: ObjectStore, obj: KubeObject): Promise<'created' | 'configured' | 'unchanged'> {
  const existing = await store.get(obj.kind, obj.metadata.namespace, obj.metadata.name);
  const stamped: KubeObject = { ...obj, metadata: { ...obj.metadata, creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString() } };
  if (obj.kind === 'PersistentVolumeClaim') await ensureClaimVolume(pods, obj.metadata.namespace!, obj.metadata.name);
  if (existing && JSON.stringify(withoutStoreFields(existing)) === JSON.stringify(withoutStoreFields(stamped))) return 'unchanged';
  await store.put(stamped);
  return existing ? 'configured' : 'created';
}

/** Deletes a record; a claim whose volume a pod still mounts is refused unless forced (then those pods go first). */
export async function deleteConfigObject(pods: PodManager, store: ObjectStore, kind: string, namespace: string, name: string, force: boolean): Promise<boolean> {
  if (kind === 'PersistentVolumeClaim') {
    const volume = claimVolumeName(namespace, name);
    const users = await pods.volumes.users(volume);
    const using = [...new Map(users.map((u) => [`${u.labels[LABEL.namespace]}/${u.labels[LABEL.pod]}`, { name: u.labels[LABEL.pod] ?? u.name, namespace: u.labels[LABEL.namespace] ?? namespace }])).values()];
    if (using.length > 0 && !force) {
      throw new PodctlError('FAILED_PRECONDITION', `persistentvolumeclaim ${name} is in use by pod ${using.map((p) => p.name).join(', ')}`, {
        hint: 'delete the pods (or their Deployment) first, or use --force to delete them with the claim',
      });
    }
    await Promise.all(using.map((ref) => deletePod(pods, ref, 0)));
    const record = await store.remove(kind, namespace, name);
    const removed = await pods.volumes.remove(volume);
    return record || removed;
  }
  return store.remove(kind, kind === 'Namespace' ? undefined : namespace, name);
}
