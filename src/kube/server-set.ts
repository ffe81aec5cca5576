/**
 * What an API server sets on an object itself and ignores when a client sends it in a create:
 * the status, and the identity and history fields of the metadata. `kubectl get -o yaml` and
 * `podctl get -o yaml` print them, so an exported object carries them; `apply` drops them
 * before anything checks the document, as the server does, so exports apply as they are.
 */
export const SERVER_SET_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'] as const;

/** A copy of one manifest document without `status` and the server-set metadata fields; anything that is not an object comes back as it is. */
export function withoutServerSetFields(value: unknown): unknown {
  if (!isObject(value)) return value;
  const { status: _status, ...rest } = value;
  if (!isObject(rest.metadata)) return rest;
  const metadata = { ...rest.metadata };
  for (const key of SERVER_SET_METADATA) delete metadata[key];
  return { ...rest, metadata };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
