import type { ServerResponse } from 'node:http';
import type { ChangeFeed, FeedEvent } from '../kube/objects/change-feed.js';
import type { KubeObject } from '../kube/objects/store.js';
import { parseSelector } from '../kube/selector.js';
import { objectTable, type ResourceTable } from '../kube/tables.js';
import type { PodManager } from '../pod/manager.js';
import { age } from '../util/age.js';
import { isPodctlError } from '../util/errors.js';
import { fieldsMatch, fieldsOfObject, parseFieldSelector } from './field-selector.js';
import { observedColumns } from './observed-diff.js';
import { OBSERVED_KINDS, type ObservedObjects } from './observed.js';
import { readResource, type ObjectMeta, type ReadResult } from './read.js';
import { groupVersionOf, type ApiResource } from './resources.js';
import { badRequest, failure } from './status.js';
import { tableOf } from './table.js';

/** What the API's watches read: the store's change feed and the objects serve observes (pods, Services). */
export interface Watching {
  feed: ChangeFeed;
  observed: ObservedObjects;
}

/** How often a watch that allows bookmarks gets one. */
export const BOOKMARK_MS = 5000;
/** The API server ends a watch without timeoutSeconds after 30 to 60 minutes; podctl after 30. */
const DEFAULT_TIMEOUT_S = 1800;

export interface WatchRequest {
  resource: ApiResource;
  namespace?: string;
  name?: string;
  query: URLSearchParams;
  /** The Table version asked for (Accept), or undefined for objects. */
  table?: 'v1' | 'v1beta1';
}

type Send = (type: string, object: unknown) => void;

/** A boolean query parameter as the API server reads one (Go's strconv.ParseBool: `true`, `True`, `1`, `t`, ...). */
export const queryFlag = (query: URLSearchParams, name: string): boolean => ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(query.get(name) ?? '');

/**
 * A watch as the API server answers one: a stream of `{"type", "object"}` lines. Without a
 * resourceVersion (or "0") the current objects come first as ADDED, then every change after the
 * list; with one, every change after it, or one ERROR event 410 Expired when the history no
 * longer reaches it. Selectors filter as the API server's do: an object that starts to match is
 * ADDED, one that stops matching is DELETED. BOOKMARKs every 5 s when allowed; the stream ends
 * after timeoutSeconds.
 */
export async function serveWatch(pods: PodManager, watching: Watching, req: WatchRequest, res: ServerResponse): Promise<void> {
  const { resource, query } = req;
  const wanted = matcher(req);
  const rvParam = query.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resourceVersion: ${rvParam}`);
  const timeoutS = Number(query.get('timeoutSeconds') ?? DEFAULT_TIMEOUT_S);
  if (!Number.isInteger(timeoutS) || timeoutS < 0) throw badRequest(`invalid timeoutSeconds: ${query.get('timeoutSeconds')}`);

  // The state to start from: the list as of now (its version read before it), or the client's version.
  let from: number;
  let initial: Array<{ object: Record<string, unknown>; row?: string[]; meta: ObjectMeta }> = [];
  let initialTable: ResourceTable | undefined;
  if (rvParam === '' || rvParam === '0') {
    from = watching.feed.last;
    const result = await readResource(pods, resource, { namespace: req.namespace, name: undefined, labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector'), table: req.table !== undefined });
    const list = req.name === undefined ? result.metadata.map((meta, i) => ({ meta, i })) : result.metadata.map((meta, i) => ({ meta, i })).filter(({ meta }) => meta.name === req.name);
    initialTable = result.table;
    initial = list.map(({ meta, i }) => ({ meta, object: result.objects?.[i] ?? {}, row: result.table?.rows[i] }));
  } else {
    from = Number(rvParam);
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const send: Send = (type, object) => void res.write(JSON.stringify({ type, object }) + '\n');
  const version = (meta: ObjectMeta, object: Record<string, unknown>) => stampedVersion(watching, resource, meta, object);

  for (const { meta, object, row } of initial) {
    const rv = version(meta, object);
    if (req.table) send('ADDED', tableOf({ metadata: [{ ...meta, resourceVersion: rv } as ObjectMeta], table: { columns: initialTable!.columns, rows: [row!] } }, req.table));
    else send('ADDED', { ...object, metadata: { ...(object.metadata as object), resourceVersion: rv } });
  }

  let unsubscribe: () => void = () => undefined;
  const timers: NodeJS.Timeout[] = [];
  const done = new Promise<void>((resolve) => {
    const end = () => {
      unsubscribe();
      timers.forEach(clearTimeout);
      resolve();
    };
    res.on('close', end);
    timers.push(setTimeout(() => res.end(), timeoutS * 1000));
    try {
      unsubscribe = watching.feed.subscribe(from, (e) => {
        const out = translate(e, resource, wanted);
        if (out) send(out.type, req.table ? tableEvent(out.object, e, req.table) : out.object);
      });
    } catch (err) {
      if (!isPodctlError(err, 'EXPIRED')) throw err;
      // The API server answers an expired version inside the stream: one ERROR event, then the end.
      send('ERROR', failure(410, 'Expired', err.message));
      res.end();
      return;
    }
    if (queryFlag(query, 'allowWatchBookmarks')) {
      const bookmark = () => {
        send('BOOKMARK', { kind: resource.kind, apiVersion: groupVersionOf(resource), metadata: { resourceVersion: String(watching.feed.last) } });
        timers.push(setTimeout(bookmark, BOOKMARK_MS));
      };
      timers.push(setTimeout(bookmark, BOOKMARK_MS));
    }
  });
  await done;
}

/** The resourceVersion a read's object carries: a record's own, an observed (or computed) object's last logged one. */
export function stampedVersion(watching: Watching, r: ApiResource, meta: ObjectMeta, object: Record<string, unknown>): string {
  const own = (object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  const observed = () => watching.observed.versionOf(r.kind, meta.namespace, meta.name) ?? String(watching.feed.last);
  if ((OBSERVED_KINDS as readonly string[]).includes(r.kind)) return observed();
  // A Deployment's ReplicaSet has no record, so no version of its own.
  return own || observed();
}

/** Every object of a read with its resourceVersion (observed objects have none of their own), in place. */
export function stampVersions(watching: Watching, r: ApiResource, result: ReadResult): void {
  result.metadata.forEach((meta, i) => {
    const object = result.objects?.[i];
    const rv = stampedVersion(watching, r, meta, object ?? {});
    (meta as ObjectMeta & { resourceVersion?: string }).resourceVersion = rv;
    if (object) object.metadata = { ...(object.metadata as object), resourceVersion: rv };
  });
}


type Wanted = (o: KubeObject) => boolean;

function matcher(req: WatchRequest): Wanted {
  const { resource: r, query } = req;
  const fields = parseFieldSelector(query.get('fieldSelector'), r.kind);
  const labels = query.get('labelSelector') ? parseSelector(query.get('labelSelector')!) : () => true;
  return (o) =>
    (req.namespace === undefined || !r.namespaced || o.metadata.namespace === req.namespace) &&
    (req.name === undefined || o.metadata.name === req.name) &&
    labels(o.metadata.labels ?? {}) &&
    fieldsMatch(fields, fieldsOfObject(o));
}

/**
 * A change of the store as a watcher of `r` with this filter sees it (the API server's filtered
 * watch): ADDED when the object starts to match, DELETED when it stops, nothing when it never did.
 */
export function translate(e: FeedEvent, r: ApiResource, wanted: Wanted): { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject } | undefined {
  if (e.object.kind !== r.kind) return undefined;
  const now = wanted(e.object);
  if (e.type !== 'MODIFIED') return now ? { type: e.type, object: e.object } : undefined;
  const before = e.previous ? wanted(e.previous) : now;
  if (before && now) return { type: 'MODIFIED', object: e.object };
  if (now) return { type: 'ADDED', object: e.object };
  if (before) return { type: 'DELETED', object: e.object };
  return undefined;
}

/** One object's Table, as a watch with `as=Table` sends each change: its `podctl get` row, AGE as of now. */
function tableEvent(object: KubeObject, e: FeedEvent, version: 'v1' | 'v1beta1'): Record<string, unknown> {
  const meta = { ...object.metadata } as ObjectMeta;
  if (!(OBSERVED_KINDS as readonly string[]).includes(object.kind)) return tableOf({ metadata: [meta], table: objectTable(object.kind, [object]) }, version);
  const { columns, ageCell } = observedColumns(object.kind);
  const row = [...(e.row ?? [])];
  if (ageCell >= 0 && row.length > ageCell) row[ageCell] = age(object.metadata.creationTimestamp ?? '');
  return tableOf({ metadata: [meta], table: { columns, rows: [row] } }, version);
}
