import { associativeKeys, fieldType, listStrategy, type TypeName } from '../patch/merge-keys.js';
import { FieldSet, fieldElement, keyElement, valueElement, type FieldPath } from './field-set.js';

/**
 * The fields of an object as server-side apply sees them: every leaf (a scalar, an atomic list,
 * an empty map) and every item of an associative list or a set, each with its value, walked
 * through merge-keys.ts's type graph. The fields the API server never tracks are left out:
 * apiVersion, kind, status (its own subresource), and the metadata the server sets itself.
 */
type JsonMap = Record<string, unknown>;

export const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** metadata fields the server owns (the API server's field manager strips the same). */
const SERVER_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);
const UNTRACKED_TOP = new Set(['apiVersion', 'kind', 'status']);

/** Each path's value as canonical JSON (an item's value is the item's key, so that any change below shows on its fields). */
export type FieldValues = Map<string, { path: FieldPath; value: string }>;

/** The item key of an associative list element, its absent key fields given their defaults. */
export function itemKey(item: JsonMap, keys: readonly string[], defaults: Record<string, string> = {}): JsonMap {
  return Object.fromEntries(keys.filter((k) => item[k] !== undefined || defaults[k] !== undefined).map((k) => [k, item[k] ?? defaults[k]]));
}

export function fieldValues(obj: JsonMap, kind: string): FieldValues {
  const out: FieldValues = new Map();
  const put = (path: FieldPath, value: unknown) => out.set(JSON.stringify(path), { path, value: canonical(value) });
  const walkMap = (map: JsonMap, path: FieldPath, type: TypeName | undefined) => {
    for (const [field, value] of Object.entries(map)) {
      if (path.length === 0 && UNTRACKED_TOP.has(field)) continue;
      if (path.length === 1 && path[0] === 'f:metadata' && SERVER_METADATA.has(field)) continue;
      if (value === null || value === undefined) continue;
      walkValue(value, [...path, fieldElement(field)], type, field);
    }
  };
  const walkValue = (value: unknown, path: FieldPath, parent: TypeName | undefined, field: string) => {
    if (isMap(value)) {
      if (Object.keys(value).length === 0) put(path, value);
      else walkMap(value, path, fieldType(parent, field, kind));
      return;
    }
    const strategy = listStrategy(parent, field);
    if (!Array.isArray(value) || !strategy) return put(path, value);
    const keys = associativeKeys(strategy);
    for (const item of value) {
      if (!keys) {
        put([...path, valueElement(item)], item);
        continue;
      }
      if (!isMap(item)) continue;
      const itemPath = [...path, keyElement(itemKey(item, keys, strategy.keyDefaults))];
      put(itemPath, null);
      walkMap(item, itemPath, strategy.elementType);
    }
  };
  walkMap(obj, [], 'Object');
  return out;
}

export const fieldSetOf = (values: FieldValues): FieldSet => new FieldSet([...values.values()].map((v) => v.path));

/** The paths whose value `after` adds or changes over `before` (the fields a write sets). */
export function changedFields(before: FieldValues, after: FieldValues): FieldSet {
  return new FieldSet([...after].filter(([k, v]) => before.get(k)?.value !== v.value).map(([, v]) => v.path));
}

/** The paths `before` has and `after` no longer does. */
export function removedFields(before: FieldValues, after: FieldValues): FieldSet {
  return new FieldSet([...before].filter(([k]) => !after.has(k)).map(([, v]) => v.path));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isMap(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
