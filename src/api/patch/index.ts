import jsonPatch from 'fast-json-patch';
import { PodctlError } from '../../util/errors.js';
import { invalidPatch, strategicMergePatch } from './strategic.js';

/**
 * The PATCH bodies the API server takes, by Content-Type: JSON patch (RFC 6902, applied by
 * fast-json-patch), JSON merge patch (RFC 7386) and Kubernetes' strategic merge patch
 * (strategic.ts). Each gives the whole object after the patch; the caller writes it as an update.
 */
export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;
export type PatchType = (typeof PATCH_TYPES)[number];
export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

type JsonMap = Record<string, unknown>;
const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

export function applyPatch(type: PatchType, original: JsonMap, patch: unknown, kind: string): JsonMap {
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(original, patch);
    case 'application/merge-patch+json':
      if (!isMap(patch)) throw invalidPatch('a merge patch must be a JSON object');
      return mergePatch(original, patch) as JsonMap;
    case 'application/strategic-merge-patch+json':
      return strategicMergePatch(original, patch, kind);
  }
}

/** RFC 7386: a map merges key by key, null removes a key, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return patch;
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function applyJsonPatch(original: JsonMap, patch: unknown): JsonMap {
  if (!Array.isArray(patch)) throw invalidPatch('a JSON patch must be a list of operations');
  try {
    const result = jsonPatch.applyPatch(structuredClone(original), patch as jsonPatch.Operation[], true, true).newDocument;
    if (!isMap(result)) throw invalidPatch('the patched document is not an object');
    return result;
  } catch (err) {
    if (err instanceof PodctlError) throw err;
    // fast-json-patch's JsonPatchError: the operation that failed and why (a failed `test`, a path that is not there).
    const e = err as { name?: string; message?: string; index?: number };
    if (e.name !== 'TEST_OPERATION_FAILED' && !(err instanceof jsonPatch.JsonPatchError)) throw err;
    throw invalidPatch(`operation ${e.index ?? '?'}: ${(e.message ?? '').split('\n')[0]}`);
  }
}
