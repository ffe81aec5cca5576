import { EVENT_FIELDS } from './events.js';
import { badRequest } from './status.js';

/**
 * The API server's field selectors: `metadata.name=web,status.phase!=Running` (`=`, `==`,
 * `!=`), over the few fields each kind supports; any other field is refused as the API server
 * refuses it.
 */
export interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const KIND_FIELDS: Record<string, string[]> = { Pod: ['status.phase'], Event: EVENT_FIELDS };

export const selectableFields = (kind: string): string[] => [...COMMON_FIELDS, ...(KIND_FIELDS[kind] ?? [])];

/** Parses a selector for `kind`; an empty or absent one is no requirement. */
export function parseFieldSelector(text: string | null | undefined, kind: string): FieldRequirement[] {
  const supported = selectableFields(kind);
  return (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
      if (!supported.includes(m[1]!)) throw badRequest(`field label not supported: ${m[1]}`);
      return { field: m[1]!, equal: m[2] !== '!=', value: m[3]!.trim() };
    });
}

/** Whether an object whose selectable fields have these values meets every requirement. */
export function fieldsMatch(reqs: FieldRequirement[], fields: Record<string, string | undefined>): boolean {
  return reqs.every((r) => (fields[r.field] === r.value) === r.equal);
}

/** The selectable fields of an API object (its metadata and, for a pod, its phase). */
export function fieldsOfObject(o: { metadata?: { name?: string; namespace?: string }; status?: unknown }): Record<string, string | undefined> {
  return { 'metadata.name': o.metadata?.name, 'metadata.namespace': o.metadata?.namespace ?? '', 'status.phase': (o.status as { phase?: string } | undefined)?.phase };
}
