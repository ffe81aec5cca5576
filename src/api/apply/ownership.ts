import { FieldSet, fromFieldsV1, pathString, toFieldsV1, type FieldPath } from './field-set.js';
import { mergeApplied, removeFields } from './merge.js';
import { changedFields, fieldSetOf, fieldValues, removedFields, type FieldValues } from './object-fields.js';

/**
 * Who owns which fields of an object (`metadata.managedFields`), and how a write changes that,
 * as the API server's field manager does:
 * - an update (create, PUT, a JSON, merge or strategic merge patch) gives its manager the
 *   fields it set or changed, taken from whoever owned them (an update never conflicts);
 * - an apply merges the applied configuration into the object; a field it changes that another
 *   manager owns is a conflict unless forced (then it changes owner); the applier then owns
 *   exactly what it sent, and what it sent last time and no longer sends is removed from the
 *   object unless another manager owns it too.
 * A field the object no longer has is owned by no one. Pure: the caller reads and writes.
 */
type JsonMap = Record<string, unknown>;

export type Operation = 'Apply' | 'Update';

export interface ManagedFieldsEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonMap;
  subresource?: string;
}

/** A manager as the API server tells them apart: name, operation and subresource. */
export interface Manager {
  manager: string;
  operation: Operation;
  subresource?: string;
}

/** What a manager owns, with the version and time of its last write. */
interface Owned {
  who: Manager;
  apiVersion: string;
  time: string;
  set: FieldSet;
}

/** Who owns the first fields of an object that had none recorded when it was first applied (the API server's name). */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

const sameManager = (a: Manager, b: Manager) => a.manager === b.manager && a.operation === b.operation && (a.subresource ?? '') === (b.subresource ?? '');

function decode(entries: readonly ManagedFieldsEntry[]): Owned[] {
  return entries.map((e) => ({ who: { manager: e.manager, operation: e.operation, ...(e.subresource ? { subresource: e.subresource } : {}) }, apiVersion: e.apiVersion, time: e.time, set: fromFieldsV1(e.fieldsV1) }));
}

function encode(owned: readonly Owned[]): ManagedFieldsEntry[] {
  return owned
    .filter((o) => o.set.size > 0)
    .map((o) => ({ manager: o.who.manager, operation: o.who.operation, apiVersion: o.apiVersion, time: o.time, fieldsType: 'FieldsV1' as const, fieldsV1: toFieldsV1(o.set), ...(o.who.subresource ? { subresource: o.who.subresource } : {}) }));
}

/** The entry of `who`, made (empty) when it has none yet. */
function entryOf(owned: Owned[], who: Manager, apiVersion: string, time: string): Owned {
  let mine = owned.find((o) => sameManager(o.who, who));
  if (!mine) owned.push((mine = { who, apiVersion, time, set: new FieldSet() }));
  return mine;
}

export interface WriteInfo {
  who: Manager;
  /** The group version the write was made in (`apps/v1`). */
  apiVersion: string;
  /** RFC 3339, seconds. */
  time: string;
  kind: string;
}

/** The entries after an update turned `before` (undefined: a create) into `after`. */
export function recordUpdate(entries: readonly ManagedFieldsEntry[], before: JsonMap | undefined, after: JsonMap, write: WriteInfo): ManagedFieldsEntry[] {
  const owned = decode(entries);
  const beforeValues: FieldValues = before ? fieldValues(before, write.kind) : new Map();
  const afterValues = fieldValues(after, write.kind);
  const changed = changedFields(beforeValues, afterValues);
  const gone = removedFields(beforeValues, afterValues);
  for (const o of owned) o.set = o.set.difference(gone).difference(sameManager(o.who, write.who) ? new FieldSet() : changed);
  if (changed.size > 0) {
    const mine = entryOf(owned, write.who, write.apiVersion, write.time);
    Object.assign(mine, { set: mine.set.union(changed), apiVersion: write.apiVersion, time: write.time });
  }
  return encode(owned);
}

/** One field another manager owns that an apply would change. */
export interface Conflict {
  who: Manager;
  apiVersion: string;
  path: FieldPath;
}

/** An apply refused for its conflicts (the API's 409 names each). */
export class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(conflictMessage(conflicts));
  }
}

export interface Applied {
  object: JsonMap;
  managedFields: ManagedFieldsEntry[];
}

/**
 * An apply of `config` by `write.who` to `live` (undefined: the apply creates the object): the
 * object to write and its entries, or ApplyConflicts.
 */
export function applyConfiguration(entries: readonly ManagedFieldsEntry[], live: JsonMap | undefined, config: JsonMap, write: WriteInfo & { force: boolean }): Applied {
  const { kind } = write;
  const owned = decode(entries);
  // An object never applied or updated through the API: what it has is owned by one manager standing for its past.
  if (live && owned.length === 0) owned.push({ who: { manager: BEFORE_FIRST_APPLY, operation: 'Update' }, apiVersion: write.apiVersion, time: write.time, set: fieldSetOf(fieldValues(live, kind)) });
  const merged = mergeApplied(live ?? {}, config, kind);
  const liveValues: FieldValues = live ? fieldValues(live, kind) : new Map();
  const changed = changedFields(liveValues, fieldValues(merged, kind));
  const others = owned.filter((o) => !sameManager(o.who, write.who));
  const conflicts = others.flatMap((o) => o.set.intersection(changed).paths().map((path) => ({ who: o.who, apiVersion: o.apiVersion, path })));
  if (conflicts.length > 0 && !write.force) throw new ApplyConflicts(conflicts);
  for (const o of others) o.set = o.set.difference(changed);
  const applied = fieldSetOf(fieldValues(config, kind));
  const mine = entryOf(owned, write.who, write.apiVersion, write.time);
  const ownedByOthers = others.reduce((all, o) => all.union(o.set), new FieldSet());
  const object = removeFields(merged, mine.set.difference(applied).difference(ownedByOthers).paths(), kind);
  // An apply that changes neither the object nor what its applier owns keeps the entry's time, as the API server does.
  const same = changed.size === 0 && mine.set.size === applied.size && mine.set.difference(applied).size === 0;
  Object.assign(mine, { set: applied, apiVersion: write.apiVersion, ...(same ? {} : { time: write.time }) });
  const gone = removedFields(liveValues, fieldValues(object, kind));
  for (const o of owned) if (o !== mine) o.set = o.set.difference(gone);
  return { object, managedFields: encode(owned) };
}

/** `conflict with "kubectl" with subresource "scale" using apps/v1`: a manager as the API server's conflicts name it. */
export function managerPhrase(who: Manager, apiVersion: string): string {
  const sub = who.subresource ? ` with subresource ${JSON.stringify(who.subresource)}` : '';
  return `${JSON.stringify(who.manager)}${sub}${who.operation === 'Update' ? ` using ${apiVersion}` : ''}`;
}

/** The API server's message: one conflict on one line, several grouped by manager. */
export function conflictMessage(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${managerPhrase(conflicts[0]!.who, conflicts[0]!.apiVersion)}: ${pathString(conflicts[0]!.path)}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const phrase = managerPhrase(c.who, c.apiVersion);
    byManager.set(phrase, [...(byManager.get(phrase) ?? []), pathString(c.path)]);
  }
  const lines = [...byManager].sort(([a], [b]) => a.localeCompare(b)).flatMap(([phrase, paths]) => [`conflicts with ${phrase}:`, ...paths.map((p) => `- ${p}`)]);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
