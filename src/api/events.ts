import { createHash } from 'node:crypto';
import { containerEvents, eventAge, EventLog, type KubeEvent } from '../kube/events.js';
import { openWorkloadContext } from '../kube/kinds/workload-context.js';
import type { ResourceTable } from '../kube/tables.js';
import type { PodManager } from '../pod/manager.js';
import { DEFAULT_NAMESPACE } from '../pod/spec.js';
import type { ReadRequest, ReadResult, Wanted } from './read.js';
import { API_RESOURCES, groupVersionOf, type ApiResource } from './resources.js';

/**
 * Events as the API serves them, core `v1` and `events.k8s.io/v1`, from what `describe` already
 * shows (kube/events.ts): the controllers' per-object logs and what the one pod list says about
 * each pod's containers. Each is named after its object and a hash of what makes it itself
 * (type, reason, object, message, source), so the same event keeps its name from one read to
 * the next; involvedObject carries the stored object's uid, which `kubectl describe` selects on.
 */

/** An event of podctl's with the namespace of its object. */
export interface NamespacedEvent extends KubeEvent {
  namespace: string;
}

/** `deployment/web` → the served resource and name; undefined for a kind the API does not serve. */
export function involvedOf(object: string): { resource: ApiResource; name: string } | undefined {
  const slash = object.indexOf('/');
  const resource = API_RESOURCES.find((r) => r.singularName === object.slice(0, slash) && r.name !== 'events');
  return resource && { resource, name: object.slice(slash + 1) };
}

const eventName = (e: NamespacedEvent, objectName: string) => `${objectName}.${createHash('sha256').update(JSON.stringify([e.namespace, e.type, e.reason, e.object, e.message, e.from])).digest('hex').slice(0, 16)}`;

/** The core v1 Event of one of podctl's; `uidOf` gives a stored object's uid (kind, namespace, name). */
export function coreEvent(e: NamespacedEvent, uidOf: (kind: string, namespace: string, name: string) => string | undefined): Record<string, unknown> {
  const involved = involvedOf(e.object);
  const objectName = involved?.name ?? e.object;
  const kind = involved?.resource.kind ?? '';
  const uid = uidOf(kind, e.namespace, objectName);
  const first = e.firstTime ?? e.time ?? null;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(e, objectName), namespace: e.namespace, ...(first ? { creationTimestamp: first } : {}) },
    involvedObject: { kind, namespace: e.namespace, name: objectName, ...(involved ? { apiVersion: groupVersionOf(involved.resource) } : {}), ...(uid ? { uid } : {}) },
    reason: e.reason,
    message: e.message,
    type: e.type,
    source: { component: e.from },
    firstTimestamp: first,
    lastTimestamp: e.time ?? null,
    count: e.count ?? 1,
    eventTime: null,
    reportingComponent: e.from,
    reportingInstance: '',
  };
}

type CoreEvent = ReturnType<typeof coreEvent> & { metadata: { name: string; namespace: string; creationTimestamp?: string }; involvedObject: Record<string, string>; source: { component: string } };

/** The same event as events.k8s.io/v1 words it (regarding, note, the deprecated* copies of the core fields). */
export function eventsV1(core: Record<string, unknown>): Record<string, unknown> {
  const c = core as CoreEvent;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: c.metadata,
    // Required by events.k8s.io/v1; podctl knows the last time (or, for a fact from the pod list, none).
    eventTime: c.lastTimestamp ?? c.firstTimestamp ?? c.metadata.creationTimestamp ?? new Date(0).toISOString(),
    reportingController: c.reportingComponent,
    reportingInstance: c.reportingInstance,
    action: c.reason,
    reason: c.reason,
    regarding: c.involvedObject,
    note: c.message,
    type: c.type,
    deprecatedSource: c.source,
    deprecatedFirstTimestamp: c.firstTimestamp,
    deprecatedLastTimestamp: c.lastTimestamp,
    deprecatedCount: c.count,
  };
}

/** The fields an event list can be selected by (core names; events.k8s.io's `regarding.*` too). */
export function eventFields(core: Record<string, unknown>): Record<string, string | undefined> {
  const c = core as CoreEvent;
  const fields: Record<string, string | undefined> = {
    'metadata.name': c.metadata.name,
    'metadata.namespace': c.metadata.namespace,
    reason: c.reason as string,
    type: c.type as string,
    source: c.source.component,
    reportingComponent: c.reportingComponent as string,
    reportingController: c.reportingComponent as string,
  };
  for (const key of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
    fields[`involvedObject.${key}`] = c.involvedObject[key] ?? '';
    fields[`regarding.${key}`] = c.involvedObject[key] ?? '';
  }
  return fields;
}

/** The field labels an Event list accepts (parseFieldSelector refuses any other). */
export const EVENT_FIELDS = Object.keys(eventFields({ metadata: {}, involvedObject: {}, source: {} }));

/** `kubectl get events`'s columns (its printer's): LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide adds the rest. */
export function eventTable(list: Array<Record<string, unknown>>, now = Date.now()): ResourceTable {
  const headers: Array<[string, boolean]> = [['LAST SEEN', false], ['TYPE', false], ['REASON', false], ['OBJECT', false], ['SUBOBJECT', true], ['SOURCE', true], ['MESSAGE', false], ['FIRST SEEN', true], ['COUNT', true], ['NAME', true]];
  return {
    columns: headers.map(([header, wide]) => ({ header, wide })),
    nameColumn: headers.length - 1,
    rows: list.map((e) => {
      const c = e as CoreEvent;
      const object = `${String(c.involvedObject.kind).toLowerCase()}/${c.involvedObject.name}`;
      return [eventAge((c.lastTimestamp as string | null) ?? undefined, now), String(c.type), String(c.reason), object, '', c.source.component, String(c.message), eventAge((c.firstTimestamp as string | null) ?? undefined, now), String(c.count), c.metadata.name];
    }),
  };
}

/** The events of `req.namespace` (all when undefined) in both groups' forms, selected, as a read result. */
export async function readEvents(pods: PodManager, r: ApiResource, req: ReadRequest, wanted: Wanted): Promise<ReadResult> {
  const [logs, views, ctx] = await Promise.all([new EventLog(pods.stateDir).readAll(req.namespace), pods.list({ namespace: req.namespace, all: true }), openWorkloadContext(pods, req.namespace ?? DEFAULT_NAMESPACE)]);
  const events: NamespacedEvent[] = [...logs.flatMap((l) => l.events.map((e) => ({ ...e, namespace: l.namespace }))), ...views.flatMap((v) => containerEvents(v).map((e) => ({ ...e, namespace: v.namespace })))];
  // The uids of the stored kinds the events are about, one list per kind.
  const kinds = [...new Set(events.map((e) => involvedOf(e.object)?.resource.kind).filter((k): k is string => k !== undefined && k !== 'Pod'))];
  const uids = new Map<string, string>();
  for (const kind of kinds) for (const o of await ctx.store.list(kind, req.namespace)) if (o.metadata.uid) uids.set(`${kind}/${o.metadata.namespace}/${o.metadata.name}`, o.metadata.uid);
  const core = events.map((e) => coreEvent(e, (kind, ns, name) => uids.get(`${kind}/${ns}/${name}`))).filter((e) => {
    const c = e as CoreEvent;
    return wanted(c.metadata.name, undefined, eventFields(e));
  });
  const metadata = core.map((e) => ({ ...(e as CoreEvent).metadata }));
  if (req.table) return { metadata, table: eventTable(core) };
  return { metadata, objects: r.group === 'events.k8s.io' ? core.map(eventsV1) : core };
}
