import type { Definitions } from './openapi.js';

type Schema = Record<string, unknown>;

/**
 * The fields of an object that its kind's schema does not name, as the API server's strict
 * decoding finds them (`fieldValidation=Strict` refuses them, `Warn` answers them as warnings),
 * each as its path: `bogus`, `spec.template.spec.containers[0].imagee`. A schema without
 * `properties` (a map, IntOrString, Quantity, a type the definitions do not hold) takes
 * anything. Keys starting with `$` are a strategic merge patch's directives, not fields.
 */
export function unknownFields(defs: Definitions, schemaName: string, value: unknown): string[] {
  const found: string[] = [];
  const walk = (schema: Schema | undefined, v: unknown, path: string): void => {
    schema = resolve(defs, schema);
    if (!schema || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      const items = schema.items as Schema | undefined;
      v.forEach((item, i) => walk(items, item, `${path}[${i}]`));
      return;
    }
    const properties = schema.properties as Record<string, Schema> | undefined;
    const additional = schema.additionalProperties;
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      if (key.startsWith('$')) continue;
      const at = path ? `${path}.${key}` : key;
      if (properties?.[key]) walk(properties[key], child, at);
      else if (additional && typeof additional === 'object') walk(additional as Schema, child, at);
      else if (properties && !additional) found.push(at);
    }
  };
  walk({ $ref: `#/components/schemas/${schemaName}` }, value, '');
  return found;
}

/** A schema with its `$ref` (or the one `allOf` the generator wraps a described reference in) followed. */
function resolve(defs: Definitions, schema: Schema | undefined): Schema | undefined {
  for (let hops = 0; schema && hops < 8; hops++) {
    const ref = (schema.$ref ?? (schema.allOf as Schema[] | undefined)?.[0]?.$ref) as string | undefined;
    if (typeof ref !== 'string') return schema;
    schema = defs[ref.slice(ref.lastIndexOf('/') + 1)];
  }
  return schema;
}

/** The API server's words for them: `unknown field "a", unknown field "b.c"`. */
export const unknownFieldsMessage = (paths: string[]) => paths.map((p) => `unknown field "${p}"`).join(', ');
