import type { Change } from '../kube/objects/change-log.js';
import type { KubeObject } from '../kube/objects/store.js';
import { endpointsTable, objectTable, podTable, serviceTable, type ResourceTable } from '../kube/tables.js';
import type { PodView } from '../pod/status.js';

/** An observed object (pod, Service, Endpoints, a Deployment's ReplicaSet) as last logged: the API's object and its `podctl get` row. */
export interface Observed {
  object: KubeObject;
  row: string[];
}

export const observedKey = (o: { kind: string; metadata: { namespace?: string; name: string } }): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

const COLUMNS: Record<string, ResourceTable['columns']> = { Pod: podTable([]).columns, Service: serviceTable([]).columns, Endpoints: endpointsTable([]).columns, ReplicaSet: objectTable('ReplicaSet', []).columns };

/** The Table columns of an observed kind and which cell is AGE (it changes with the clock, not with the object). */
export function observedColumns(kind: string): { columns: ResourceTable['columns']; ageCell: number } {
  const columns = COLUMNS[kind]!;
  return { columns, ageCell: columns.findIndex((c) => c.header === 'AGE') };
}

/** What a client would see differ: the object without its resourceVersion, the row without AGE. */
function fingerprint({ object, row }: Observed, ageCell: number): string {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return JSON.stringify([{ ...object, metadata }, row.filter((_, i) => i !== ageCell)]);
}

/**
 * The changes that bring `known` to `current` for one kind: ADDED for a new key, MODIFIED for
 * one whose object or row differs, DELETED (with the last object) for a known key not seen now.
 * `scope`: the keys this look covered (one pod's); undefined: it saw every object of the kind.
 */
export function diffObserved(known: ReadonlyMap<string, Observed>, current: Observed[], kind: string, scope?: readonly string[]): Array<Omit<Change, 'rv'>> {
  const { ageCell } = observedColumns(kind);
  const out: Array<Omit<Change, 'rv'>> = [];
  const now = new Set<string>();
  for (const c of current) {
    const key = observedKey(c.object);
    now.add(key);
    const before = known.get(key);
    if (!before) out.push({ type: 'ADDED', object: c.object, row: c.row });
    else if (fingerprint(before, ageCell) !== fingerprint(c, ageCell)) out.push({ type: 'MODIFIED', object: c.object, row: c.row });
  }
  const covered = scope ?? [...known.keys()].filter((k) => k.startsWith(`${kind}/`));
  for (const key of covered) {
    const before = known.get(key);
    if (before && !now.has(key)) out.push({ type: 'DELETED', object: before.object, row: before.row });
  }
  return out;
}

/** What of a pod's view (one list call) tells that its object may have changed: all but Docker's clock-bound status text ("Up 5 minutes"). */
export const podViewPrint = (view: PodView): string => JSON.stringify({ ...view, containers: view.containers.map(({ status: _status, ...c }) => c) });
