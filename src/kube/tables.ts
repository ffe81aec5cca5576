import type { PodView } from '../pod/status.js';
import type { ServiceEndpoints } from '../service/types.js';
import { age } from '../util/age.js';
import { clusterIPText, endpointsText, portsText } from './kinds/service-output.js';
import { jobCondition, type JobStatus } from './kinds/job-status.js';
import type { KubeObject } from './objects/store.js';
import { kubectlStatus, podRestarts } from './pod-status.js';

/**
 * The columns `get` shows for each kind, in one place for `podctl get` (text) and the API's
 * Table responses (`kubectl get`): headers as printed, the `-o wide` ones marked, and one row
 * of cells per object. The first column is always the name.
 */
export interface ResourceTable {
  columns: Array<{ header: string; wide: boolean }>;
  /** The column holding the name when it is not the first (events: the last, a wide one). */
  nameColumn?: number;
  rows: string[][];
}

const cols = (headers: string[], wide: string[] = []) => [...headers.map((header) => ({ header, wide: false })), ...wide.map((header) => ({ header, wide: true }))];

/** Keeps the columns a format shows: the wide ones only with `-o wide`. */
export function visibleColumns(table: ResourceTable, wide: boolean): { headers: string[]; rows: string[][] } {
  const keep = table.columns.map((c) => wide || !c.wide);
  return { headers: table.columns.filter((_, i) => keep[i]).map((c) => c.header), rows: table.rows.map((r) => r.filter((_, i) => keep[i])) };
}

/** `get pods`: READY, kubectl's STATUS, RESTARTS (`PodManager.countRestarts` fills them), the first IP; wide: namespace and networks. */
export function podTable(views: PodView[], now = Date.now()): ResourceTable {
  return {
    columns: cols(['NAME', 'READY', 'STATUS', 'RESTARTS', 'IP', 'AGE'], ['NAMESPACE', 'NETWORKS']),
    rows: views.map((v) => [v.name, `${v.ready}/${v.total}`, kubectlStatus(v), String(podRestarts(v)), v.ips[0] ?? '', age(v.created, now), v.namespace, v.networks.map((n) => n.name).join(',')]),
  };
}

const selectorText = (selector: Record<string, string>) => Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');

/** `get svc`; wide adds the selector. */
export function serviceTable(list: ServiceEndpoints[], now = Date.now()): ResourceTable {
  return {
    columns: cols(['NAME', 'TYPE', 'CLUSTER-IP', 'PORT(S)', 'AGE'], ['SELECTOR']),
    rows: list.map((s) => [s.service.name, s.service.type, clusterIPText(s), portsText(s), age(s.service.createdAt, now), selectorText(s.service.selector)]),
  };
}

/** `get endpoints`. */
export function endpointsTable(list: ServiceEndpoints[], now = Date.now()): ResourceTable {
  return { columns: cols(['NAME', 'ENDPOINTS', 'AGE']), rows: list.map((s) => [s.service.name, endpointsText(s), age(s.service.createdAt, now)]) };
}

const OBJECT_COLUMNS: Record<string, { base: string[]; wide?: string[] }> = {
  Deployment: { base: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'] },
  ReplicaSet: { base: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'] },
  DaemonSet: { base: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'] },
  StatefulSet: { base: ['NAME', 'READY', 'AGE'] },
  Job: { base: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'] },
  ConfigMap: { base: ['NAME', 'DATA', 'AGE'] },
  Secret: { base: ['NAME', 'TYPE', 'DATA', 'AGE'] },
  PersistentVolumeClaim: { base: ['NAME', 'STATUS', 'VOLUME', 'ACCESS MODES', 'AGE'] },
  Namespace: { base: ['NAME', 'STATUS', 'AGE'] },
};

const count = (o: KubeObject, key: string) => Number(((o.status ?? {}) as Record<string, unknown>)[key] ?? 0);

/** One stored object's cells (live status already filled in by `listObjects`), wide ones included. */
function objectRow(o: KubeObject, now: number): string[] {
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  const created = age(o.metadata.creationTimestamp ?? '', now);
  switch (o.kind) {
    case 'Deployment': {
      const containers = ((spec.template ?? {}) as { spec?: { containers?: Array<{ name: string; image: string }> } }).spec?.containers ?? [];
      return [o.metadata.name, `${count(o, 'readyReplicas')}/${spec.replicas ?? 1}`, String(count(o, 'updatedReplicas')), String(count(o, 'availableReplicas')), created, containers.map((c) => c.name).join(','), containers.map((c) => c.image).join(','), JSON.stringify((spec.selector as { matchLabels?: unknown })?.matchLabels ?? {})];
    }
    case 'ReplicaSet':
      return [o.metadata.name, String(spec.replicas ?? 1), String(count(o, 'replicas')), String(count(o, 'readyReplicas')), created];
    case 'StatefulSet':
      return [o.metadata.name, `${count(o, 'readyReplicas')}/${spec.replicas ?? 1}`, created];
    case 'DaemonSet': {
      const nodeSelector = ((spec.template ?? {}) as { spec?: { nodeSelector?: Record<string, string> } }).spec?.nodeSelector ?? {};
      const counts = ['desiredNumberScheduled', 'currentNumberScheduled', 'numberReady', 'updatedNumberScheduled', 'numberAvailable'].map((key) => String(count(o, key)));
      return [o.metadata.name, ...counts, selectorText(nodeSelector) || '<none>', created];
    }
    case 'Job': {
      const status = (o.status ?? {}) as Partial<JobStatus>;
      return [o.metadata.name, jobCondition(status)?.type ?? 'Running', `${status.succeeded ?? 0}/${spec.completions ?? 1}`, status.startTime ? age(status.startTime, now) : '', created];
    }
    case 'ConfigMap':
      return [o.metadata.name, String(Object.keys({ ...(o.data as object), ...(o.binaryData as object) }).length), created];
    case 'Secret':
      return [o.metadata.name, String(o.type ?? 'Opaque'), String(Object.keys((o.data as object) ?? {}).length), created];
    case 'PersistentVolumeClaim':
      return [o.metadata.name, 'Bound', `podctl-pvc-${o.metadata.namespace}-${o.metadata.name}`, ((spec.accessModes as string[]) ?? []).join(','), created];
    default:
      return [o.metadata.name, 'Active', created];
  }
}

/** `get KIND` for the kinds podctl keeps as records. */
export function objectTable(kind: string, list: KubeObject[], now = Date.now()): ResourceTable {
  const { base, wide = [] } = OBJECT_COLUMNS[kind] ?? OBJECT_COLUMNS.Namespace!;
  return { columns: cols(base, wide), rows: list.map((o) => objectRow(o, now)) };
}
