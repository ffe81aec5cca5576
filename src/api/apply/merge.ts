import { associativeKeys, fieldType, listStrategy, type ListStrategy, type TypeName } from '../patch/merge-keys.js';
import { keyElement, valueElement, type FieldPath } from './field-set.js';
import { isMap, itemKey } from './object-fields.js';

/**
 * The two changes server-side apply makes to an object: the applied configuration merged into
 * the live object (maps field by field, associative lists item by item by their keys, sets as a
 * union, anything else replaced), and the removal of the fields an applier gave up that no one
 * else owns. Both walk merge-keys.ts's type graph, as object-fields.ts does.
 */
type JsonMap = Record<string, unknown>;

export function mergeApplied(live: JsonMap, config: JsonMap, kind: string): JsonMap {
  const { status: _ignored, ...applied } = config;
  return mergeMap(live, applied, 'Object', kind);
}

function mergeMap(live: JsonMap | undefined, config: JsonMap, type: TypeName | undefined, kind: string): JsonMap {
  const out: JsonMap = { ...(live ?? {}) };
  for (const [field, value] of Object.entries(config)) {
    if (value === null || value === undefined) delete out[field];
    else if (isMap(value)) out[field] = Object.keys(value).length === 0 ? {} : mergeMap(isMap(out[field]) ? out[field] : undefined, value, fieldType(type, field, kind), kind);
    else if (Array.isArray(value)) out[field] = mergeList(Array.isArray(out[field]) ? out[field] : [], value, listStrategy(type, field), kind);
    else out[field] = value;
  }
  return out;
}

function mergeList(live: unknown[], config: unknown[], strategy: ListStrategy | undefined, kind: string): unknown[] {
  if (!strategy) return structuredClone(config);
  const keys = associativeKeys(strategy);
  if (!keys) return [...live, ...config.filter((v) => !live.some((l) => same(l, v)))];
  const keyOf = (item: unknown) => (isMap(item) ? keyElement(itemKey(item, keys, strategy.keyDefaults)) : undefined);
  const out = [...live];
  for (const item of config) {
    if (!isMap(item)) continue;
    const at = out.findIndex((l) => keyOf(l) === keyOf(item));
    const merged = mergeMap(at >= 0 && isMap(out[at]) ? out[at] : undefined, item, strategy.elementType, kind);
    if (at >= 0) out[at] = merged;
    else out.push(merged);
  }
  return out;
}

/** The object without the fields at `paths` (a path not there is skipped); maps left empty by a removal go too. */
export function removeFields(obj: JsonMap, paths: Iterable<FieldPath>, kind: string): JsonMap {
  const out = structuredClone(obj);
  // An item before its fields: a field removed first would take the item's key with it.
  for (const path of [...paths].sort((a, b) => a.length - b.length)) removeAt(out, path, 'Object', kind);
  return out;
}

/** Removes the field at `path` under `map`; true when `map` is left empty by it. */
function removeAt(map: JsonMap, path: FieldPath, type: TypeName | undefined, kind: string): boolean {
  const [first, ...rest] = path;
  if (!first?.startsWith('f:')) return false;
  const field = first.slice(2);
  const value = map[field];
  if (value === undefined) return false;
  if (rest.length === 0) delete map[field];
  else if (isMap(value)) {
    if (removeAt(value, rest, fieldType(type, field, kind), kind)) delete map[field];
  } else if (Array.isArray(value)) {
    const strategy = listStrategy(type, field);
    const [itemElement, ...below] = rest;
    const keys = associativeKeys(strategy);
    const at = value.findIndex((item) => (keys ? isMap(item) && keyElement(itemKey(item, keys, strategy?.keyDefaults)) === itemElement : valueElement(item) === itemElement));
    if (at < 0) return false;
    if (below.length === 0) value.splice(at, 1);
    else if (isMap(value[at])) removeAt(value[at] as JsonMap, below, strategy?.elementType, kind);
  }
  return Object.keys(map).length === 0;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
