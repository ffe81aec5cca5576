import type { PodVolume, VolumeFile, HostPathType } from '../pod/spec.js';
import { subPathProblem } from '../pod/volumes.js';
import type { Fields } from './fields.js';
import { isDnsLabel } from '../util/validate.js';
import type { ObjectLookup } from './object-lookup.js';
import type { ContainerSpec } from '../pod/spec.js';

/** What downwardAPI volumes and fieldRef env read of the pod itself. */
export interface PodMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const HOST_PATH_TYPES: HostPathType[] = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const MEMORY_MEDIUM = { Memory: 'memory', '': 'disk' } as const;

/** The Docker volume that holds a PersistentVolumeClaim's data. */
export const claimVolumeName = (namespace: string, claim: string) => `podctl-pvc-${namespace}-${claim}`;

/**
 * `spec.volumes` of a pod manifest, their data resolved now: configMap and secret keys (a
 * missing object or key is an error unless `optional`), downwardAPI fields, claims.
 */
export function volumesOf(podSpec: Fields, meta: PodMeta, objects: ObjectLookup): PodVolume[] {
  const out: PodVolume[] = [];
  for (const v of podSpec.list('volumes')) {
    const name = v.string('name', { required: true });
    if (name !== undefined && !isDnsLabel(name)) v.issues.error(v.at('name'), 'must be a DNS-1123 label');
    if (name !== undefined && out.some((o) => o.name === name)) v.issues.error(v.at('name'), `"${name}" is used by another volume of this pod`);
    const sources = ['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim', 'downwardAPI'].filter((k) => v.has(k));
    v.only(['name', ...sources]);
    if (sources.length === 0 && Object.keys(v.obj).length > 1) continue; // an unsupported source: recorded by only()
    if (sources.length !== 1) {
      v.issues.error(v.path, 'must have exactly one volume source');
      continue;
    }
    const source = sourceOf(v, sources[0]!, meta, objects);
    if (source && name) out.push({ name, source });
  }
  return out;
}

function sourceOf(v: Fields, kind: string, meta: PodMeta, objects: ObjectLookup): PodVolume['source'] | undefined {
  const f = v.object(kind);
  if (!f) return undefined;
  switch (kind) {
    case 'emptyDir': {
      f.only(['medium']);
      const medium = f.oneOf('medium', ['', 'Memory'] as const) ?? '';
      if (f.has('sizeLimit')) f.issues.unsupported.push(f.at('sizeLimit'));
      return { kind: 'emptyDir', medium: MEMORY_MEDIUM[medium] };
    }
    case 'hostPath': {
      f.only(['path', 'type']);
      const path = f.string('path', { required: true }) ?? '';
      if (path && !path.startsWith('/')) f.issues.error(f.at('path'), 'must be an absolute path');
      return { kind: 'hostPath', path, type: f.oneOf('type', HOST_PATH_TYPES) ?? '' };
    }
    case 'persistentVolumeClaim': {
      f.only(['claimName', 'readOnly']);
      const claim = f.string('claimName', { required: true }) ?? '';
      const volume = objects.claimVolume(meta.namespace, claim);
      if (claim && !volume) f.issues.error(f.at('claimName'), `persistentvolumeclaim "${claim}" not found in namespace ${meta.namespace}`);
      return { kind: 'named', volume: volume ?? '', ...(f.bool('readOnly') ? { readOnly: true } : {}) };
    }
    case 'configMap':
    case 'secret': {
      const isSecret = kind === 'secret';
      const nameKey = isSecret ? 'secretName' : 'name';
      f.only([nameKey, 'items', 'defaultMode', 'optional']);
      const objName = f.string(nameKey, { required: true }) ?? '';
      const optional = f.bool('optional') ?? false;
      const defaultMode = modeOf(f, 'defaultMode') ?? 0o644;
      const data = isSecret ? objects.secret(meta.namespace, objName) : objects.configMap(meta.namespace, objName);
      const what = `${isSecret ? 'secret' : 'configmap'} "${objName}"`;
      if (!data && !optional && objName) f.issues.error(f.at(nameKey), `${what} not found in namespace ${meta.namespace} (set optional: true to start without it)`);
      const files = itemsOf(f, data ?? new Map(), defaultMode, optional || !data, what);
      return { kind: 'files', medium: isSecret ? 'memory' : 'disk', files, from: what };
    }
    case 'downwardAPI': {
      f.only(['items', 'defaultMode']);
      const defaultMode = modeOf(f, 'defaultMode') ?? 0o644;
      const files: VolumeFile[] = [];
      for (const item of f.list('items')) {
        item.only(['path', 'fieldRef', 'mode']);
        const path = filePath(item);
        const ref = item.object('fieldRef');
        if (!ref) {
          if (item.has('resourceFieldRef')) item.issues.unsupported.push(item.at('resourceFieldRef'));
          else item.issues.error(item.at('fieldRef'), 'is required');
          continue;
        }
        ref.only(['fieldPath'], { apiVersion: 'v1' });
        const value = metaField(ref, meta, true);
        if (value !== undefined) files.push({ path, contentBase64: Buffer.from(value).toString('base64'), mode: modeOf(item, 'mode') ?? defaultMode });
      }
      return { kind: 'files', medium: 'disk', files, from: 'downwardAPI' };
    }
  }
  return undefined;
}

function modeOf(f: Fields, key: string): number | undefined {
  return f.int(key, { min: 0, max: 0o777, range: '0-0777 (octal in YAML: 0644)' });
}

function filePath(item: Fields): string {
  const path = item.string('path', { required: true }) ?? '';
  const problem = path ? subPathProblem(path) : undefined;
  if (problem) item.issues.error(item.at('path'), problem);
  return path;
}

/** `items` picks keys and names their files; without it every key is a file named by the key. */
function itemsOf(f: Fields, data: Map<string, string>, defaultMode: number, optional: boolean, what: string): VolumeFile[] {
  if (!f.has('items')) return [...data].map(([key, b64]) => ({ path: key, contentBase64: b64, mode: defaultMode }));
  const files: VolumeFile[] = [];
  for (const item of f.list('items')) {
    item.only(['key', 'path', 'mode']);
    const key = item.string('key', { required: true }) ?? '';
    const path = filePath(item);
    const b64 = data.get(key);
    if (b64 === undefined) {
      if (!optional) item.issues.error(item.at('key'), `${what} has no key "${key}"`);
      continue;
    }
    files.push({ path, contentBase64: b64, mode: modeOf(item, 'mode') ?? defaultMode });
  }
  return files;
}

/**
 * A `fieldRef.fieldPath` of the pod's metadata. Volumes may also name all labels or
 * annotations (one `key="value"` per line); env may name one (`metadata.labels['app']`).
 */
export function metaField(ref: Fields, meta: PodMeta, inVolume: boolean): string | undefined {
  const path = ref.string('fieldPath', { required: true });
  if (path === undefined) return undefined;
  if (path === 'metadata.name') return meta.name;
  if (path === 'metadata.namespace') return meta.namespace;
  const one = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (one) return (one[1] === 'labels' ? meta.labels : meta.annotations)[one[2]!] ?? '';
  if (inVolume && (path === 'metadata.labels' || path === 'metadata.annotations')) {
    const map = path === 'metadata.labels' ? meta.labels : meta.annotations;
    return Object.keys(map).sort().map((k) => `${k}=${JSON.stringify(map[k])}`).join('\n');
  }
  return ref.issues.error(ref.at('fieldPath'), `"${path}" is not a field podctl can supply here`);
}

/** `volumeMounts` of one container. Their volume names are checked against the pod's volumes by the caller. */
export function mountsOf(c: Fields): NonNullable<ContainerSpec['mounts']> {
  return c.list('volumeMounts').map((m) => {
    m.only(['name', 'mountPath', 'readOnly', 'subPath'], { mountPropagation: 'None' });
    const mountPath = m.string('mountPath', { required: true }) ?? '';
    if (mountPath && !mountPath.startsWith('/')) m.issues.error(m.at('mountPath'), 'must be an absolute path');
    const subPath = m.string('subPath');
    const problem = subPath ? subPathProblem(subPath) : undefined;
    if (problem) m.issues.error(m.at('subPath'), problem);
    return { volume: m.string('name', { required: true }) ?? '', mountPath, ...(m.bool('readOnly') ? { readOnly: true } : {}), ...(subPath ? { subPath } : {}) };
  });
}
