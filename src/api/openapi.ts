import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PodctlError, errnoOf } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import { DEFINITIONS_OF, TYPES, type TypeName } from './patch/merge-keys.js';
import { API_RESOURCES, groupVersionOf, type ApiResource } from './resources.js';

/**
 * `/openapi/v3` and its group-version documents (OpenAPI 3.0), for the kinds served: their
 * schemas come from the definitions `make build` generated out of kubernetes-types'
 * declarations (scripts/generate-openapi.mjs), read on the first request, never at start-up.
 * Each document holds its kinds with every schema they reach, and paths whose operations name
 * their kind (x-kubernetes-group-version-kind) and the query parameters the API takes: kubectl
 * reads those to know that the server validates fields itself (`fieldValidation`).
 * `/openapi/v2` is the same schemas as Swagger 2.0 (openapi-v2.ts). The lists' patch strategies,
 * which the declarations lost, come from the strategic merge patch's own table (merge-keys.ts).
 */
export type Definitions = Record<string, Schema>;
type Schema = Record<string, unknown>;

export const definitionsFile = () => join(packageRoot(), 'dist', 'openapi', 'definitions.json');

let loaded: Promise<Definitions> | undefined;

async function definitions(): Promise<Definitions> {
  loaded ??= readFile(definitionsFile(), 'utf8').then(
    (text) => withPatchStrategies((JSON.parse(text) as { definitions: Definitions }).definitions),
    (err: unknown) => {
      loaded = undefined;
      if (errnoOf(err) === 'ENOENT') throw new PodctlError('UNAVAILABLE', `the OpenAPI definitions are not built (${definitionsFile()} is missing)`, { hint: 'run make build' });
      throw err;
    },
  );
  return loaded;
}

/** Each list with a merge strategy marked as the official OpenAPI marks it (x-kubernetes-patch-*). */
export function withPatchStrategies(defs: Definitions): Definitions {
  for (const [type, names] of Object.entries(DEFINITIONS_OF) as Array<[TypeName, readonly string[]]>) {
    for (const name of names) {
      const properties = defs[name]?.properties as Record<string, Schema> | undefined;
      for (const [field, strategy] of Object.entries(TYPES[type].lists ?? {})) {
        const property = properties?.[field];
        if (!property) continue;
        property['x-kubernetes-patch-strategy'] = 'merge';
        if (strategy.mergeKey) property['x-kubernetes-patch-merge-key'] = strategy.mergeKey;
      }
    }
  }
  return defs;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const refName = (r: string) => r.slice('#/components/schemas/'.length);

/** The definition of a kind, by its x-kubernetes-group-version-kind. */
export function kindSchemaName(defs: Definitions, r: Pick<ApiResource, 'group' | 'version' | 'kind'>): string | undefined {
  return Object.keys(defs).find((name) => ((defs[name]!['x-kubernetes-group-version-kind'] as Array<Record<string, string>> | undefined) ?? []).some((g) => g.group === r.group && g.version === r.version && g.kind === r.kind));
}

/** `names` and every definition they reach through `$ref`. */
export function closure(defs: Definitions, names: string[]): Definitions {
  const out: Definitions = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') add(refName(v));
      else visit(v);
    }
  };
  const add = (name: string) => {
    if (out[name] || !defs[name]) return;
    out[name] = defs[name]!;
    visit(defs[name]);
  };
  names.forEach(add);
  return out;
}

const param = (name: string, where: 'path' | 'query', description: string, type = 'string') => ({ name, in: where, description, ...(where === 'path' ? { required: true } : {}), schema: { type, uniqueItems: true } });
const WRITE_PARAMS = [
  param('dryRun', 'query', 'When present, indicates that modifications should not be persisted. Valid values: All.'),
  param('fieldManager', 'query', 'A name associated with the actor or entity that is making these changes.'),
  param('fieldValidation', 'query', 'How the server treats unknown and duplicate fields in the object: Ignore, Warn (the default) or Strict.'),
];
const LIST_PARAMS = ['labelSelector', 'fieldSelector', 'continue'].map((n) => param(n, 'query', `The ${n} of the list.`)).concat([param('limit', 'query', 'The most items to return.', 'integer'), param('watch', 'query', 'Watch for changes.', 'boolean')]);
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** The paths of one resource: its collections (namespaced and across namespaces) and one object. */
function resourcePaths(r: ApiResource, kindSchema: string): Record<string, unknown> {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.name}` : `${base}/${r.name}`;
  const body = (schema: unknown) => ({ content: { 'application/json': { schema } } });
  const op = (action: string, verb: string, extra: Record<string, unknown> = {}) => ({
    operationId: `${verb}${r.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': { description: 'OK', ...body(action === 'list' ? { type: 'object' } : ref(kindSchema)) } },
    ...extra,
  });
  const namespaceParam = r.namespaced ? [param('namespace', 'path', 'object name and auth scope, such as for teams and projects')] : [];
  return {
    [collection]: { parameters: namespaceParam, get: op('list', 'list', { parameters: LIST_PARAMS }), post: op('post', 'create', { parameters: WRITE_PARAMS, requestBody: body(ref(kindSchema)) }) },
    [`${collection}/{name}`]: {
      parameters: [param('name', 'path', `name of the ${r.kind}`), ...namespaceParam],
      get: op('get', 'read'),
      put: op('put', 'replace', { parameters: WRITE_PARAMS, requestBody: body(ref(kindSchema)) }),
      patch: op('patch', 'patch', { parameters: [...WRITE_PARAMS, param('force', 'query', 'Force an apply request through conflicts.', 'boolean')], requestBody: { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: { type: 'object' } }])) } }),
      delete: op('delete', 'delete', { parameters: [param('propagationPolicy', 'query', 'Orphan, Background or Foreground.'), param('gracePeriodSeconds', 'query', 'Seconds before the object is removed.', 'integer')] }),
    },
    ...(r.namespaced ? { [`${base}/${r.name}`]: { get: op('list', 'list', { parameters: LIST_PARAMS }) } } : {}),
  };
}

/** The OpenAPI 3.0 document of one served group version; undefined when none is served. */
export function groupVersionDocument(defs: Definitions, group: string, version: string, kubeVersion: string): Record<string, unknown> | undefined {
  const resources = API_RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const kinds = resources.map((r) => ({ r, schema: kindSchemaName(defs, r) })).filter((k): k is { r: ApiResource; schema: string } => k.schema !== undefined);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: kubeVersion },
    paths: Object.assign({}, ...kinds.map((k) => resourcePaths(k.r, k.schema))) as Record<string, unknown>,
    components: { schemas: closure(defs, kinds.map((k) => k.schema)) },
  };
}

/** `api/v1`, `apis/apps/v1`: where a group version's document is, as /openapi/v3 names it. */
const docPath = (r: Pick<ApiResource, 'group' | 'version'>) => (r.group ? `apis/${groupVersionOf(r)}` : `api/${r.version}`);

const documents = new Map<string, { body: string; hash: string }>();

/** A group version's document as served (its text and hash, made once). */
async function documentOf(path: string, kubeVersion: string): Promise<{ body: string; hash: string } | undefined> {
  const cached = documents.get(path);
  if (cached) return cached;
  const r = API_RESOURCES.find((x) => docPath(x) === path);
  if (!r) return undefined;
  const doc = groupVersionDocument(await definitions(), r.group, r.version, kubeVersion)!;
  const body = JSON.stringify(doc);
  const made = { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
  documents.set(path, made);
  return made;
}

/**
 * The answer to `/openapi/v3` (`rest` empty: the index of group versions, each with a URL that
 * carries its document's hash, so a client's cache knows when it changed) or
 * `/openapi/v3/api/v1`, `/openapi/v3/apis/G/V`; undefined for what is not served.
 */
/** The definitions and the name of a kind's schema (undefined: a kind the definitions do not hold). */
export async function kindSchema(r: Pick<ApiResource, 'group' | 'version' | 'kind'>): Promise<{ defs: Definitions; name: string } | undefined> {
  const defs = await definitions();
  const name = kindSchemaName(defs, r);
  return name ? { defs, name } : undefined;
}

export async function openApiV3(rest: string[], kubeVersion: string): Promise<string | undefined> {
  if (rest.length === 0) {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const path of new Set(API_RESOURCES.map(docPath))) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${(await documentOf(path, kubeVersion))!.hash}` };
    return JSON.stringify({ paths });
  }
  return (await documentOf(rest.join('/'), kubeVersion))?.body;
}

let v2: Promise<{ json: string; protobuf: Buffer }> | undefined;

/** `/openapi/v2`: protobuf when the client takes it (kubectl asks for nothing else), else JSON; made once. */
export async function openApiV2(accept: string | undefined, kubeVersion: string): Promise<{ body: Buffer | string; contentType: string }> {
  v2 ??= Promise.all([definitions(), import('./openapi-v2.js')]).then(([defs, { v2Document, encodeV2 }]) => {
    const doc = v2Document(defs, kubeVersion);
    return { json: JSON.stringify(doc), protobuf: encodeV2(doc) };
  });
  v2.catch(() => (v2 = undefined));
  const made = await v2;
  const { PROTOBUF_V2, PROTOBUF_V2_ANSWER } = await import('./openapi-v2.js');
  return (accept ?? '').includes(PROTOBUF_V2) ? { body: made.protobuf, contentType: PROTOBUF_V2_ANSWER } : { body: made.json, contentType: 'application/json' };
}
