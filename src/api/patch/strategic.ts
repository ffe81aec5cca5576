import { PodctlError } from '../../util/errors.js';
import { fieldType, listStrategy, type ListStrategy, type TypeName } from './merge-keys.js';

/**
 * Kubernetes' strategic merge patch (application/strategic-merge-patch+json), as the API server
 * applies it: a JSON merge patch in which the lists of merge-keyed elements (containers by
 * name, ports by containerPort: merge-keys.ts) merge element by element instead of being
 * replaced, sets of primitives (finalizers) take a union, and these directives work:
 * - `$patch: replace` (a map or a list replaced whole), `$patch: delete` (a map removed, or a
 *   list element named by its merge key removed);
 * - `$retainKeys: [...]` on a map: the fields it does not list are cleared;
 * - `$deleteFromPrimitiveList/FIELD: [...]`: those values leave a list of primitives;
 * - `$setElementOrder/FIELD: [...]`: the order of the merged list (the elements named, in that
 *   order, then the others in the order they had).
 * Written here because no maintained npm package applies strategic merge patches (the ones
 * found are unmaintained ports without the directives): see docs/ARCHITECTURE.md.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

const DELETE_FROM = '$deleteFromPrimitiveList/';
const ORDER = '$setElementOrder/';

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

export function strategicMergePatch(original: Record<string, unknown>, patch: unknown, kind: string): Record<string, unknown> {
  if (!isMap(patch)) throw invalidPatch('a strategic merge patch must be a JSON object');
  return mergeMap(original as JsonMap, patch, 'Object', kind) ?? {};
}

function mergeMap(original: JsonMap | undefined, patch: JsonMap, type: TypeName | undefined, kind: string): JsonMap | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  const { $patch: _p, $retainKeys: retain, ...fields } = patch;
  if (directive === 'replace') return stripDirectives(fields) as JsonMap;
  if (directive !== undefined && directive !== 'merge') throw invalidPatch(`unknown patch type: ${JSON.stringify(directive)}`);
  const out: JsonMap = { ...(original ?? {}) };
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw invalidPatch('$retainKeys must be a list of field names');
    for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key];
  }
  const orders: Array<[string, Json[]]> = [];
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      if (!Array.isArray(value)) throw invalidPatch(`${key} must be a list`);
      if (Array.isArray(out[field])) out[field] = (out[field] as Json[]).filter((v) => !value.some((d) => same(d, v)));
      continue;
    }
    if (key.startsWith(ORDER)) {
      if (!Array.isArray(value)) throw invalidPatch(`${key} must be a list`);
      orders.push([key.slice(ORDER.length), value]);
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    if (isMap(value)) {
      const merged = mergeMap(isMap(out[key]) ? out[key] : undefined, value, fieldType(type, key, kind), kind);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
      continue;
    }
    if (Array.isArray(value)) {
      const strategy = listStrategy(type, key);
      out[key] = strategy ? mergeList(Array.isArray(out[key]) ? out[key] : [], value, strategy, kind, key) : (stripDirectives(value) as Json[]);
      continue;
    }
    out[key] = value;
  }
  for (const [field, order] of orders) {
    const strategy = listStrategy(type, field);
    if (Array.isArray(out[field])) out[field] = ordered(out[field] as Json[], order, strategy?.mergeKey);
  }
  return out;
}

function mergeList(original: Json[], patch: Json[], strategy: ListStrategy, kind: string, field: string): Json[] {
  // `[{ $patch: replace }, ...rest]`: the list becomes the rest.
  if (patch.some((e) => isMap(e) && e.$patch === 'replace')) return stripDirectives(patch.filter((e) => !(isMap(e) && e.$patch === 'replace'))) as Json[];
  const key = strategy.mergeKey;
  if (key === undefined) {
    // A set of primitives: the union, in the order first seen.
    const out = [...original];
    for (const v of patch) if (!out.some((o) => same(o, v))) out.push(v);
    return out;
  }
  const out = [...original];
  for (const element of patch) {
    if (!isMap(element)) throw invalidPatch(`${field}: an element must be an object with ${key}`);
    if (!(key in element)) throw invalidPatch(`${field}: an element has no merge key ${key}`);
    const at = out.findIndex((o) => isMap(o) && same(o[key], element[key]));
    if (element.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    const merged = mergeMap(at >= 0 ? (out[at] as JsonMap) : undefined, element, strategy.elementType, kind);
    if (merged === undefined) continue;
    if (at >= 0) out[at] = merged;
    else out.push(merged);
  }
  return out;
}

/** The list in the order `$setElementOrder` gives; elements it does not name follow in their old order. */
function ordered(list: Json[], order: Json[], key: string | undefined): Json[] {
  const idOf = (v: Json) => (key !== undefined && isMap(v) ? v[key] : v);
  const rank = (v: Json) => order.findIndex((o) => same(idOf(o as Json), idOf(v)));
  const named = list.filter((v) => rank(v) >= 0).sort((a, b) => rank(a) - rank(b));
  return [...named, ...list.filter((v) => rank(v) < 0)];
}

/** A value taken whole (a replaced map or list): directives have no meaning in it and do not stay. */
function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isMap(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('$')).map(([k, v]) => [k, stripDirectives(v)]));
}

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);

export const invalidPatch = (message: string): PodctlError => new PodctlError('INVALID_ARGUMENT', `the patch cannot be applied: ${message}`, { details: { patchError: true } });
