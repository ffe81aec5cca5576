/**
 * Request bodies in Kubernetes' protobuf encoding, for the kinds client-go's typed clients send
 * that way to podctl: Secret and ConfigMap (helm's release storage, kubectl 1.31+'s
 * `create secret|configmap`) and DeleteOptions (a typed client's delete). A body is the magic
 * `k8s\0` and a runtime.Unknown whose `raw` is the object's own message; decoded here into the
 * object as its JSON would have been, so the write path stays the one for JSON. A small reader
 * of the wire format for these few messages (as openapi-v2.ts has a small writer): a protobuf
 * library would be parsed at every CLI start. Field numbers are those of Kubernetes' generated.proto.
 */
type Field =
  | { name: string; type: 'string' | 'bytes' | 'int' | 'bool'; repeated?: boolean }
  | { name: string; type: 'message'; message: string; repeated?: boolean }
  | { name: string; type: 'map'; values: 'string' | 'bytes' };

const MESSAGES: Record<string, Record<number, Field>> = {
  Unknown: { 1: { name: 'typeMeta', type: 'message', message: 'TypeMeta' }, 2: { name: 'raw', type: 'bytes' }, 3: { name: 'contentEncoding', type: 'string' }, 4: { name: 'contentType', type: 'string' } },
  TypeMeta: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } },
  Time: { 1: { name: 'seconds', type: 'int' }, 2: { name: 'nanos', type: 'int' } },
  OwnerReference: {
    1: { name: 'kind', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'uid', type: 'string' },
    5: { name: 'apiVersion', type: 'string' }, 6: { name: 'controller', type: 'bool' }, 7: { name: 'blockOwnerDeletion', type: 'bool' },
  },
  ObjectMeta: {
    1: { name: 'name', type: 'string' }, 2: { name: 'generateName', type: 'string' }, 3: { name: 'namespace', type: 'string' },
    5: { name: 'uid', type: 'string' }, 6: { name: 'resourceVersion', type: 'string' }, 7: { name: 'generation', type: 'int' },
    8: { name: 'creationTimestamp', type: 'message', message: 'Time' }, 9: { name: 'deletionTimestamp', type: 'message', message: 'Time' },
    10: { name: 'deletionGracePeriodSeconds', type: 'int' }, 11: { name: 'labels', type: 'map', values: 'string' }, 12: { name: 'annotations', type: 'map', values: 'string' },
    13: { name: 'ownerReferences', type: 'message', message: 'OwnerReference', repeated: true }, 14: { name: 'finalizers', type: 'string', repeated: true },
  },
  Secret: {
    1: { name: 'metadata', type: 'message', message: 'ObjectMeta' }, 2: { name: 'data', type: 'map', values: 'bytes' }, 3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map', values: 'string' }, 5: { name: 'immutable', type: 'bool' },
  },
  ConfigMap: {
    1: { name: 'metadata', type: 'message', message: 'ObjectMeta' }, 2: { name: 'data', type: 'map', values: 'string' },
    3: { name: 'binaryData', type: 'map', values: 'bytes' }, 4: { name: 'immutable', type: 'bool' },
  },
  Preconditions: { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } },
  DeleteOptions: {
    1: { name: 'gracePeriodSeconds', type: 'int' }, 2: { name: 'preconditions', type: 'message', message: 'Preconditions' },
    3: { name: 'orphanDependents', type: 'bool' }, 4: { name: 'propagationPolicy', type: 'string' }, 5: { name: 'dryRun', type: 'string', repeated: true },
  },
};

const MAGIC = Buffer.from('k8s\0', 'latin1');
/** The kinds decoded here. */
export const PROTOBUF_KINDS = ['Secret', 'ConfigMap', 'DeleteOptions'] as const;

/** Why a protobuf body cannot be read: the caller turns it into the API server's answer. */
export class ProtobufBodyError extends Error {}

/**
 * The object a protobuf body holds, as JSON: apiVersion and kind from its envelope, bytes fields
 * in base64, timestamps in RFC 3339. Throws ProtobufBodyError for a body that is not one, or of
 * a kind not in PROTOBUF_KINDS.
 */
export function decodeProtobufBody(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw new ProtobufBodyError('the body does not start with the protobuf envelope\'s magic "k8s\\x00"');
  const envelope = decodeMessage(body.subarray(MAGIC.length), 'Unknown', 'the protobuf envelope') as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Buffer; contentEncoding?: string };
  const kind = envelope.typeMeta?.kind ?? '';
  if (!(PROTOBUF_KINDS as readonly string[]).includes(kind)) throw new ProtobufBodyError(`podctl reads protobuf bodies of ${PROTOBUF_KINDS.join(', ')} only, not of ${kind || 'an object without a kind'}`);
  if (envelope.contentEncoding) throw new ProtobufBodyError(`content encoding ${envelope.contentEncoding} is not supported`);
  const object = decodeMessage(envelope.raw ?? Buffer.alloc(0), kind, `the ${kind}`);
  return { apiVersion: envelope.typeMeta?.apiVersion, kind, ...(asJson(object) as Record<string, unknown>) };
}

/** One message of MESSAGES from its bytes; a truncated or malformed one throws ProtobufBodyError naming `what`. */
function decodeMessage(bytes: Buffer, type: string, what: string): Record<string, unknown> {
  try {
    return readMessage(bytes, MESSAGES[type]!);
  } catch (err) {
    throw new ProtobufBodyError(`${what} could not be decoded: ${(err as Error).message}`);
  }
}

function readMessage(bytes: Buffer, fields: Record<number, Field>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length || shift > 63n) throw new Error('truncated varint');
      const b = bytes[at++]!;
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return value;
    }
  };
  const span = (): Buffer => {
    const length = Number(varint());
    if (at + length > bytes.length) throw new Error('a field runs past the end of its message');
    const part = bytes.subarray(at, at + length);
    at += length;
    return part;
  };
  while (at < bytes.length) {
    const key = varint();
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    const field = fields[number];
    // Fields of a newer Kubernetes (managedFields, ...) are skipped, as proto readers do.
    const value = wire === 0 ? varint() : wire === 2 ? span() : wire === 1 ? ((at += 8), undefined) : wire === 5 ? ((at += 4), undefined) : fail(`wire type ${wire}`);
    if (!field || value === undefined) continue;
    let decoded: unknown;
    if (field.type === 'int') decoded = Number(BigInt.asIntN(64, value as bigint));
    else if (field.type === 'bool') decoded = value !== 0n;
    else if (!Buffer.isBuffer(value)) fail(`field ${number} is not length-delimited`);
    else if (field.type === 'string') decoded = value.toString('utf8');
    else if (field.type === 'bytes') decoded = value;
    else if (field.type === 'message') decoded = readMessage(value, MESSAGES[field.message]!);
    else {
      // A map entry: key 1, value 2.
      const { values } = field as Extract<Field, { type: 'map' }>;
      const entry = readMessage(value, { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: values } });
      const map = (out[field.name] ??= {}) as Record<string, unknown>;
      map[String(entry.key ?? '')] = entry.value ?? (values === 'bytes' ? Buffer.alloc(0) : '');
      continue;
    }
    if ('repeated' in field && field.repeated) ((out[field.name] ??= []) as unknown[]).push(decoded);
    else out[field.name] = decoded;
  }
  if (at > bytes.length) throw new Error('a field runs past the end of its message');
  return out;
}

const fail = (what: string): never => {
  throw new Error(`unexpected ${what}`);
};

/** As JSON carries it: bytes in base64, Time messages ({seconds}) as RFC 3339 strings. */
function asJson(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(asJson);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = key.endsWith('Timestamp') ? new Date(Number((v as { seconds?: number }).seconds ?? 0) * 1000).toISOString().replace('.000Z', 'Z') : asJson(v);
  }
  return out;
}
