import { hostname } from 'node:os';
import type { Fields } from './fields.js';
import { isEnvName } from './k8s-names.js';
import { decodeBase64, type ObjectLookup } from './object-lookup.js';
import { metaField, type PodMeta } from './pod-volumes.js';
import type { ContainerResources } from '../pod/spec.js';

export interface ContainerEnv {
  env: Record<string, string>;
  podIPEnv: string[];
}

/**
 * A container's environment as the kubelet builds it: `envFrom` sources first (in order, each
 * key with its prefix), then `env` entries, which override. Values from ConfigMaps, Secrets and
 * the pod's own fields are read now; the pod IP is filled in when the container is created.
 * `$(VAR)` references stay as written: they are expanded at creation (expand-vars.ts).
 */
export function envOf(c: Fields, meta: PodMeta, objects: ObjectLookup, resources: ContainerResources | undefined): ContainerEnv {
  const env: Record<string, string> = {};
  const podIPEnv: string[] = [];
  for (const from of c.list('envFrom')) {
    from.only(['prefix', 'configMapRef', 'secretRef']);
    const prefix = from.string('prefix') ?? '';
    const ref = from.object('configMapRef') ?? from.object('secretRef');
    if (!ref) {
      from.issues.error(from.path, 'must have configMapRef or secretRef');
      continue;
    }
    const isSecret = ref.path.endsWith('secretRef');
    ref.only(['name', 'optional']);
    const name = ref.string('name', { required: true }) ?? '';
    const data = isSecret ? objects.secret(meta.namespace, name) : objects.configMap(meta.namespace, name);
    if (!data) {
      if (!ref.bool('optional')) ref.issues.error(ref.at('name'), `${isSecret ? 'secret' : 'configmap'} "${name}" not found in namespace ${meta.namespace}`);
      continue;
    }
    // Keys that are not valid variable names are skipped, as the kubelet does.
    for (const [key, b64] of data) if (isEnvName(prefix + key)) env[prefix + key] = decodeBase64(b64);
  }
  for (const e of c.list('env')) {
    e.only(['name', 'value', 'valueFrom']);
    const name = e.string('name', { required: true });
    if (name !== undefined && !isEnvName(name)) e.issues.error(e.at('name'), 'must be printable characters without "=" or spaces');
    if (name === undefined) continue;
    const from = e.object('valueFrom');
    if (!from) {
      env[name] = e.string('value') ?? '';
      continue;
    }
    if (e.has('value')) e.issues.error(e.at('value'), 'may not be set together with valueFrom');
    const value = valueFrom(from, meta, objects, resources);
    if (value === POD_IP) {
      podIPEnv.push(name);
      env[name] = '';
    } else if (value !== undefined) {
      env[name] = value;
    } else {
      delete env[name];
    }
  }
  return { env, podIPEnv };
}

const POD_IP = Symbol('pod IP');

function valueFrom(from: Fields, meta: PodMeta, objects: ObjectLookup, resources: ContainerResources | undefined): string | typeof POD_IP | undefined {
  from.only(['configMapKeyRef', 'secretKeyRef', 'fieldRef', 'resourceFieldRef']);
  const keyRef = from.object('configMapKeyRef') ?? from.object('secretKeyRef');
  if (keyRef) {
    const isSecret = keyRef.path.endsWith('secretKeyRef');
    keyRef.only(['name', 'key', 'optional']);
    const name = keyRef.string('name', { required: true }) ?? '';
    const key = keyRef.string('key', { required: true }) ?? '';
    const optional = keyRef.bool('optional') ?? false;
    const what = `${isSecret ? 'secret' : 'configmap'} "${name}"`;
    const data = isSecret ? objects.secret(meta.namespace, name) : objects.configMap(meta.namespace, name);
    if (!data) return optional ? undefined : keyRef.issues.error(keyRef.at('name'), `${what} not found in namespace ${meta.namespace}`);
    const b64 = data.get(key);
    if (b64 === undefined) return optional ? undefined : keyRef.issues.error(keyRef.at('key'), `${what} has no key "${key}"`);
    return decodeBase64(b64);
  }
  const field = from.object('fieldRef');
  if (field) {
    field.only(['fieldPath'], { apiVersion: 'v1' });
    const path = field.raw('fieldPath');
    if (path === 'status.podIP' || path === 'status.podIPs') return POD_IP;
    if (path === 'spec.nodeName' || path === 'status.hostIP') return path === 'spec.nodeName' ? hostname() : '127.0.0.1';
    if (path === 'spec.serviceAccountName') return 'default';
    return metaField(field, meta, false);
  }
  const res = from.object('resourceFieldRef');
  if (res) return resourceValue(res, resources);
  from.issues.error(from.path, 'must have configMapKeyRef, secretKeyRef, fieldRef or resourceFieldRef');
  return undefined;
}

/**
 * `resourceFieldRef`: the container's limit (or request) divided by `divisor`, rounded up;
 * without a limit, this host's capacity, as the kubelet reports node allocatable.
 */
function resourceValue(res: Fields, r: ContainerResources | undefined): string | undefined {
  res.only(['resource', 'divisor', 'containerName']);
  const resource = res.oneOf('resource', ['limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory'] as const);
  if (!resource) return res.issues.error(res.at('resource'), 'is required');
  const divisorRaw = res.raw('divisor');
  const divisor = divisorRaw === undefined ? 1 : parseDivisor(divisorRaw);
  if (!divisor) return res.issues.error(res.at('divisor'), 'must be a positive quantity');
  const { cpus, totalmem } = hostCapacity();
  const value: Record<typeof resource, number> = {
    'limits.cpu': r?.cpus ?? cpus,
    'requests.cpu': r?.cpuShares !== undefined ? r.cpuShares / 1024 : 0,
    'limits.memory': r?.memoryBytes ?? totalmem,
    'requests.memory': r?.memoryReservationBytes ?? 0,
  };
  return String(Math.ceil(value[resource] / divisor - 1e-9));
}

import { cpus as osCpus, totalmem as osTotalmem } from 'node:os';
import { parseQuantity } from './quantity.js';
const hostCapacity = () => ({ cpus: osCpus().length, totalmem: osTotalmem() });
const parseDivisor = (raw: unknown) => (typeof raw === 'string' || typeof raw === 'number' ? parseQuantity(raw) || undefined : undefined);
