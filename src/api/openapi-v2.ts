import type { Definitions } from './openapi.js';

/**
 * `/openapi/v2`: the same definitions as Swagger 2.0, for the clients that still read it.
 * kubectl 1.27 loads it before `explain` and before any `apply` that validates, and only as
 * protobuf (gnostic's openapi_v2.Document); other clients get JSON. The protobuf is written
 * here by a small encoder of the wire format for the few messages a schema needs (Document,
 * Info, Definitions, NamedSchema, Schema, TypeItem, ItemsItem, Properties,
 * AdditionalPropertiesItem, NamedAny, Any), with the field numbers of gnostic's OpenAPIv2.proto.
 */
/** What kubectl asks for (`@v1.0`), and the type the answer is labelled with (Go's media-type parser refuses the `@`). */
export const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const PROTOBUF_V2_ANSWER = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

type Schema = Record<string, unknown>;

/** One schema in Swagger 2.0's words: references to #/definitions, and no allOf around a reference. */
export function v2Schema(s: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === '$ref') out.$ref = String(value).replace('#/components/schemas/', '#/definitions/');
    else if (key === 'allOf' && Array.isArray(value) && value.length === 1) Object.assign(out, v2Schema(value[0] as Schema));
    else if (key === 'items' || key === 'additionalProperties') out[key] = v2Schema(value as Schema);
    else if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, v2Schema(v)]));
    else out[key] = value;
  }
  return out;
}

/** The Swagger 2.0 document of every definition (kubectl resolves every reference it reads). */
export function v2Document(defs: Definitions, kubeVersion: string): Schema {
  return { swagger: '2.0', info: { title: 'Kubernetes', version: kubeVersion }, paths: {}, definitions: Object.fromEntries(Object.entries(defs).map(([name, s]) => [name, v2Schema(s)])) };
}

/** Protocol buffers' wire format, for the message shapes below: varints, and length-delimited strings and messages. */
class Writer {
  private readonly parts: Buffer[] = [];

  private varint(n: number): void {
    const bytes: number[] = [];
    while (n > 0x7f) {
      bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
    this.parts.push(Buffer.from(bytes));
  }

  private delimited(field: number, data: Buffer): void {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    this.parts.push(data);
  }

  string(field: number, value: string | undefined): this {
    if (value) this.delimited(field, Buffer.from(value, 'utf8'));
    return this;
  }

  message(field: number, write: (w: Writer) => void): this {
    const inner = new Writer();
    write(inner);
    this.delimited(field, inner.finish());
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

// Field numbers of gnostic's openapi_v2 messages.
const DOCUMENT = { swagger: 1, info: 2, definitions: 9 };
const INFO = { title: 1, version: 2 };
const NAMED = { name: 1, value: 2 };
const ANY = { yaml: 2 };
const SCHEMA = { ref: 1, format: 2, description: 4, required: 19, enum: 20, additionalProperties: 21, type: 22, items: 23, properties: 25, vendorExtension: 31 };

/** An `Any` holds YAML; JSON is YAML. */
const writeAny = (w: Writer, value: unknown) => w.string(ANY.yaml, `${JSON.stringify(value)}\n`);

function writeSchema(w: Writer, s: Schema): void {
  w.string(SCHEMA.ref, s.$ref as string | undefined);
  w.string(SCHEMA.format, s.format as string | undefined);
  w.string(SCHEMA.description, s.description as string | undefined);
  for (const r of (s.required as string[] | undefined) ?? []) w.string(SCHEMA.required, r);
  for (const e of (s.enum as unknown[] | undefined) ?? []) w.message(SCHEMA.enum, (a) => writeAny(a, e));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') w.message(SCHEMA.additionalProperties, (a) => a.message(1, (x) => writeSchema(x, s.additionalProperties as Schema)));
  if (s.type) w.message(SCHEMA.type, (t) => t.string(1, s.type as string));
  if (s.items) w.message(SCHEMA.items, (i) => i.message(1, (x) => writeSchema(x, s.items as Schema)));
  if (s.properties) w.message(SCHEMA.properties, (p) => writeNamedSchemas(p, s.properties as Record<string, Schema>));
  for (const [key, value] of Object.entries(s)) {
    if (key.startsWith('x-')) w.message(SCHEMA.vendorExtension, (n) => n.string(NAMED.name, key).message(NAMED.value, (a) => writeAny(a, value)));
  }
}

function writeNamedSchemas(w: Writer, schemas: Record<string, Schema>): void {
  for (const [name, schema] of Object.entries(schemas)) w.message(1, (n) => n.string(NAMED.name, name).message(NAMED.value, (x) => writeSchema(x, schema)));
}

/** The document as gnostic's openapi_v2.Document in protobuf. */
export function encodeV2(doc: Schema): Buffer {
  const info = doc.info as { title: string; version: string };
  return new Writer()
    .string(DOCUMENT.swagger, doc.swagger as string)
    .message(DOCUMENT.info, (w) => w.string(INFO.title, info.title).string(INFO.version, info.version))
    .message(DOCUMENT.definitions, (w) => writeNamedSchemas(w, doc.definitions as Record<string, Schema>))
    .finish();
}
