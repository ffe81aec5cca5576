import { randomBytes } from 'node:crypto';
import type { PropagationPolicy } from '../kube/controllers/owners.js';
import type { IncomingMessage } from 'node:http';
import { DEFAULT_PAUSE_IMAGE } from '../docker/pause-image.js';
import { applyConfigObjects, applyPod, applyWorkload, planApply, type ApplyPlan, type ManifestDocument } from '../kube/apply/index.js';
import { SERVICE_KIND, applyServices, loadServices } from '../kube/kinds/service-apply.js';
import { openWorkloadContext } from '../kube/kinds/workload-context.js';
import type { PodManager } from '../pod/manager.js';
import { DEFAULT_NAMESPACE } from '../pod/spec.js';
import { PodctlError, isPodctlError, messageOf } from '../util/errors.js';
import { APPLY_PATCH_TYPE, PATCH_TYPES, applyPatch, type PatchType } from './patch/index.js';
import { readResource } from './read.js';
import { groupVersionOf, type ApiResource } from './resources.js';
import { apiError, badRequest, failure, objectNotFound, type Status } from './status.js';
import { removeObject } from './delete.js';
import type { ObservedObjects } from './observed.js';
import type { Precondition } from '../kube/objects/store.js';
import type { Manager } from './apply/ownership.js';

/**
 * The API's write verbs: create (POST), update (PUT), patch (PATCH: patch/), delete and
 * deletecollection (DELETE: delete.ts). Each write goes through podctl's own apply path
 * (planApply's checks, then applyConfigObjects, applyServices, applyPod or applyWorkload with
 * the record only, whose pods serve's controllers then converge), so what kubectl writes is
 * what `podctl apply` would have written, and the answer is the object read back as GET reads
 * it. The API server's rules on top: a resourceVersion on create is refused, a stale one on
 * update is a Conflict, `dryRun=All` checks and answers without writing.
 *
 * A resourceVersion in an update or a patch is a precondition, kept atomically with the write:
 * a record is written by a store that refuses it under the store's lock once the record has
 * moved on (ObjectStore.expecting), so no writer of another process comes between the check
 * and the write; pods and Services take their versions from serve's observer, which looks at
 * the object before the check and after the write, inside the API's one-at-a-time writes.
 */
export interface WriteTarget {
  resource: ApiResource;
  namespace?: string;
  name?: string;
}

export interface WriteReply {
  code: number;
  body: unknown;
  /** `Warning` headers (kubectl prints each as `Warning: ...`). */
  warnings: string[];
}

type JsonMap = Record<string, unknown>;

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The largest body the API server takes (3 MiB). */
const MAX_BODY = 3 * 1024 * 1024;

// The API's writes run one at a time, so a resourceVersion checked is the one written over.
let queue: Promise<unknown> = Promise.resolve();
export function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

export async function serveWrite(pods: PodManager, target: WriteTarget, req: IncomingMessage, query: URLSearchParams, observed?: ObservedObjects): Promise<WriteReply> {
  const dryRun = dryRunOf(query);
  const validation = fieldValidationOf(query);
  const method = req.method ?? 'GET';
  const manager = fieldManagerOf(query, req.headers['user-agent']);
  const who: Manager = { manager, operation: 'Update' };
  const { resource, name } = target;
  const warnedOf = (warnings: string[]) => (reply: WriteReply): WriteReply => ({ ...reply, warnings: [...warnings, ...reply.warnings] });
  if (method === 'POST' && name === undefined) {
    const body = await readBody(req);
    const warnings = await checkFields(resource, body, validation);
    return oneAtATime(() => create(pods, target, body, dryRun, who, observed)).then(warnedOf(warnings));
  }
  if (method === 'PUT' && name !== undefined) {
    const body = await readBody(req);
    const warnings = await checkFields(resource, body, validation);
    return oneAtATime(() => update(pods, target, body, dryRun, who, observed)).then(warnedOf(warnings));
  }
  if (method === 'PATCH' && name !== undefined && isApply(req.headers['content-type'])) {
    const body = await readBody(req);
    const warnings = await checkFields(resource, body, validation);
    if (!query.get('fieldManager')) throw badRequest('PATCH: fieldManager: Required value: is required for apply patch');
    const { serverSideApply } = await import('./apply/serve-apply.js');
    return oneAtATime(() => serverSideApply(pods, target, body, { who: { manager, operation: 'Apply' }, force: query.get('force') === 'true', dryRun }, observed)).then(warnedOf(warnings));
  }
  if (method === 'PATCH' && name !== undefined) {
    const type = patchTypeOf(req.headers['content-type']);
    const patch = await readBody(req);
    const warnings = type === 'application/json-patch+json' ? [] : await checkFields(resource, patch, validation);
    return oneAtATime(() => patchObject(pods, target, type, patch, dryRun, who, observed)).then(warnedOf(warnings));
  }
  if (method === 'DELETE') {
    const hasBody = (req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined;
    const options = deleteOptions(query, hasBody ? await readBody(req) : undefined);
    return oneAtATime(() => removeObject(pods, target, options, dryRun, query, observed));
  }
  throw methodNotSupported(resource, method);
}

export function methodNotSupported(r: ApiResource, method: string): PodctlError {
  return apiError('INVALID_ARGUMENT', failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, { kind: r.name, ...(r.group ? { group: r.group } : {}), causes: [{ reason: 'MethodNotSupported', message: `${method} is not supported` }] }));
}

/** `dryRun=All` (the only value the API server knows); anything else is a BadRequest. */
export function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** `fieldValidation` Strict, Warn (the API server's default) or Ignore; anything else is a BadRequest. */
export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v !== null && !['Strict', 'Warn', 'Ignore'].includes(v)) throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Warn", "Strict"`);
  return (v ?? 'Warn') as FieldValidation;
}

/**
 * Fields the kind's schema does not name, in a body or a merge patch (a JSON patch's values are
 * not looked at): under Strict the API server's BadRequest, under Warn one warning each (the
 * types, required fields and podctl's own reading are checked whatever the mode, by apply).
 */
export async function checkFields(r: ApiResource, value: unknown, mode: FieldValidation): Promise<string[]> {
  if (mode === 'Ignore') return [];
  const [{ kindSchema }, { unknownFields, unknownFieldsMessage }] = await Promise.all([import('./openapi.js'), import('./unknown-fields.js')]);
  const schema = await kindSchema(r);
  const unknown = schema ? unknownFields(schema.defs, schema.name, value) : [];
  if (unknown.length === 0) return [];
  if (mode === 'Warn') return unknown.map((path) => unknownFieldsMessage([path]));
  throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${unknownFieldsMessage(unknown)}`);
}

const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim();
const isApply = (contentType: string | undefined) => mediaType(contentType) === APPLY_PATCH_TYPE;

export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = mediaType(contentType);
  if ((PATCH_TYPES as readonly string[]).includes(type)) return type as PatchType;
  throw apiError('INVALID_ARGUMENT', failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${[...PATCH_TYPES, APPLY_PATCH_TYPE].join(', ')}`));
}

/** The longest manager name the API server takes. */
const MAX_MANAGER = 128;

/**
 * Who a write is recorded for in managedFields: the `fieldManager` query, else, as the API
 * server does, the User-Agent up to its first `/` (`kubectl`, `python-requests`, `helm`).
 */
export function fieldManagerOf(query: URLSearchParams, userAgent: string | undefined): string {
  const given = query.get('fieldManager');
  if (given !== null && given.length > MAX_MANAGER) throw badRequest(`fieldManager: Too long: may not be longer than ${MAX_MANAGER} (a shorter name, e.g. the client's)`);
  return given || (userAgent ?? '').split('/')[0]!.slice(0, MAX_MANAGER);
}

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw apiError('INVALID_ARGUMENT', failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  // client-go's typed clients (helm's release Secrets, kubectl 1.31+'s `create secret|configmap|...`) send protobuf and have no fallback.
  if (type === PROTOBUF) return protobufBody(bytes);
  const text = bytes.toString('utf8');
  try {
    if (/yaml/.test(type)) return (await import('yaml')).parse(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${messageOf(err)}`);
  }
}

/** A protobuf body as its JSON object (protobuf-body.ts, loaded only when one comes); what it cannot read is a 415. */
async function protobufBody(bytes: Buffer): Promise<unknown> {
  const { decodeProtobufBody, ProtobufBodyError } = await import('./protobuf-body.js');
  try {
    return decodeProtobufBody(bytes);
  } catch (err) {
    if (!(err instanceof ProtobufBodyError)) throw err;
    throw apiError('INVALID_ARGUMENT', failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (${err.message}; send the object as JSON, e.g. kubectl create -f or kubectl apply -f)`));
  }
}

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);
const metaOf = (o: JsonMap): JsonMap => (isMap(o.metadata) ? o.metadata : {});

/** `deployments.apps "web"`: how the API server names one object in its messages. */
export const qualifiedName = (r: ApiResource, name: string) => `${r.group ? `${r.name}.${r.group}` : r.name} "${name}"`;

/** The object in a create or update body, with apiVersion, kind and namespace checked against the URL. */
export function objectOfBody(target: WriteTarget, body: unknown): JsonMap {
  const r = target.resource;
  if (!isMap(body)) throw badRequest('the body of the request must be an object');
  const apiVersion = body.apiVersion ?? groupVersionOf(r);
  const kind = body.kind ?? r.kind;
  if (apiVersion !== groupVersionOf(r) || kind !== r.kind) throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${groupVersionOf(r)}), or the kind (${String(kind)}) is not ${r.kind}`);
  // managedFields are the API's own (apply/managed-store.ts), never part of what is written.
  const { managedFields: _managed, ...metadata } = metaOf(body);
  if (r.namespaced) {
    const ns = target.namespace ?? DEFAULT_NAMESPACE;
    if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    metadata.namespace = ns;
  } else delete metadata.namespace;
  return { ...body, apiVersion, kind, metadata };
}

/**
 * The object as GET answers it now, or undefined. A pod or a Service carries the version serve's
 * observer logged for it after a look now (`observed`; without it they carry none).
 */
export async function current(pods: PodManager, target: WriteTarget, name: string, observed?: ObservedObjects): Promise<JsonMap | undefined> {
  let obj: JsonMap | undefined;
  try {
    obj = (await readResource(pods, target.resource, { namespace: target.resource.namespaced ? target.namespace : undefined, name, table: false })).objects?.[0];
  } catch (err) {
    if (isPodctlError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
  const kind = target.resource.kind;
  if (!obj || !observed || (kind !== 'Pod' && kind !== 'Service')) return obj;
  const resourceVersion = await observed.lookNow(kind, target.namespace ?? DEFAULT_NAMESPACE, name);
  return { ...obj, metadata: { ...metaOf(obj), ...(resourceVersion ? { resourceVersion } : {}) } };
}

async function create(pods: PodManager, target: WriteTarget, body: unknown, dryRun: boolean, who: Manager, observed?: ObservedObjects): Promise<WriteReply> {
  const r = target.resource;
  const obj = objectOfBody(target, body);
  const metadata = metaOf(obj);
  if (!metadata.name && typeof metadata.generateName === 'string' && metadata.generateName) metadata.name = `${metadata.generateName}${generatedSuffix()}`;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (!name) throw invalid(r, name, [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  // The API server's storage refuses it, in these words (a 500: kubectl prints the message as it is).
  const rv = metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== '0') throw apiError('INVALID_ARGUMENT', failure(500, 'InternalError', 'resourceVersion should not be set on objects to be created'));
  if (await current(pods, target, name)) {
    throw apiError('ALREADY_EXISTS', failure(409, 'AlreadyExists', `${qualifiedName(r, name)} already exists`, { name, ...(r.group ? { group: r.group } : {}), kind: r.name }));
  }
  const warnings = await writeThrough(pods, target, obj, dryRun);
  const written = dryRun ? asStored(obj, undefined) : await readBack(pods, target, name, observed);
  return { code: 201, body: await recordManagers(pods, target, undefined, written, who, dryRun), warnings };
}

async function update(pods: PodManager, target: WriteTarget, body: unknown, dryRun: boolean, who: Manager, observed?: ObservedObjects): Promise<WriteReply> {
  const r = target.resource;
  const name = target.name!;
  const obj = objectOfBody(target, body);
  const metadata = metaOf(obj);
  if (metadata.name !== undefined && metadata.name !== name) throw badRequest(`the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`);
  metadata.name = name;
  const existing = await current(pods, target, name, observed);
  if (!existing) throw objectNotFound(r, name);
  // Without a resourceVersion an update is unconditional; with one, it is made on that version only.
  const given = metadata.resourceVersion;
  checkResourceVersion(r, name, given, existing);
  const precondition = typeof given === 'string' && given !== '' ? preconditionOf(target, name, given) : undefined;
  const warnings = await writeThrough(pods, target, obj, dryRun, precondition);
  const written = dryRun ? asStored(obj, existing) : await readBack(pods, target, name, observed);
  return { code: 200, body: await recordManagers(pods, target, existing, written, who, dryRun), warnings };
}

/**
 * The written object with its managedFields after an update by `who` (ownership.ts), stored
 * beside it unless a dry run (apply/managed-store.ts, loaded with the first write).
 */
async function recordManagers(pods: PodManager, target: WriteTarget, before: JsonMap | undefined, written: JsonMap, who: Manager, dryRun: boolean): Promise<JsonMap> {
  const [{ recordUpdate }, store] = await Promise.all([import('./apply/ownership.js'), import('./apply/managed-store.js')]);
  const r = target.resource;
  const namespace = r.namespaced ? (target.namespace ?? DEFAULT_NAMESPACE) : undefined;
  const name = String(metaOf(written).name);
  const entries = before ? await store.readManagedFields(pods.stateDir, r.kind, namespace, name, metaOf(before).uid as string | undefined) : [];
  const managedFields = recordUpdate(entries, before, written, { who, apiVersion: groupVersionOf(r), time: nowSeconds(), kind: r.kind });
  const uid = metaOf(written).uid;
  if (!dryRun && typeof uid === 'string') await store.writeManagedFields(pods.stateDir, r.kind, namespace, name, uid, managedFields);
  return withEntries(written, managedFields);
}

/** The object with its managedFields (none: the field left out, as the API server does). */
export const withEntries = (obj: JsonMap, managedFields: unknown[]): JsonMap => {
  const { managedFields: _old, ...metadata } = metaOf(obj);
  return { ...obj, metadata: { ...metadata, ...(managedFields.length > 0 ? { managedFields } : {}) } };
};

/** Now in RFC 3339 to the second, as managedFields' times are. */
export const nowSeconds = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** How often a patch without a resourceVersion is made again on the object as it is now, when another writer came between. */
const PATCH_ATTEMPTS = 5;

/**
 * A patch is made on the object as it is when it is written: a resourceVersion in the patch is
 * a precondition (a stale one: Conflict); without one, the version the patch was applied to is,
 * and a write another writer came before is patched again from the object as it is then (as
 * the API server's guaranteed update does).
 */
export function patchObject(pods: PodManager, target: WriteTarget, type: PatchType, patch: unknown, dryRun: boolean, who: Manager, observed?: ObservedObjects): Promise<WriteReply> {
  return againWhenStale(() => patchOnce(pods, target, type, patch, dryRun, who, observed));
}

/** A write made on the object as read, made again (up to PATCH_ATTEMPTS times) when another writer came between. */
export async function againWhenStale(write: () => Promise<WriteReply>): Promise<WriteReply> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!(err instanceof PatchedStale) || attempt >= PATCH_ATTEMPTS) throw err instanceof PatchedStale ? err.conflict : err;
    }
  }
}

/** A patch without a resourceVersion of its own that found its object moved on: made again. */
export class PatchedStale extends Error {
  constructor(readonly conflict: unknown) {
    super('patched a stale object');
  }
}

async function patchOnce(pods: PodManager, target: WriteTarget, type: PatchType, patch: unknown, dryRun: boolean, who: Manager, observed?: ObservedObjects): Promise<WriteReply> {
  const r = target.resource;
  const name = target.name!;
  const existing = await current(pods, target, name, observed);
  if (!existing) throw objectNotFound(r, name);
  let patched: JsonMap;
  try {
    patched = applyPatch(type, existing, patch, r.kind);
  } catch (err) {
    // A patch that does not fit the object is the request's fault: a BadRequest saying which operation.
    if (isPodctlError(err) && err.details?.patchError) throw badRequest(err.message);
    throw err;
  }
  // A patch that sets a resourceVersion asks for the update to be made on that version only.
  const rv = metaOf(patched).resourceVersion;
  const own = metaOf(existing).resourceVersion;
  const fromPatch = rv !== own;
  if (fromPatch) checkResourceVersion(r, name, rv, existing);
  const obj = objectOfBody(target, patched);
  if (metaOf(obj).name !== name) throw badRequest('a patch may not change metadata.name');
  const expected = fromPatch ? rv : own;
  const precondition = typeof expected === 'string' && expected !== '' ? preconditionOf(target, name, expected) : undefined;
  let warnings: string[];
  try {
    warnings = await writeThrough(pods, target, obj, dryRun, precondition);
  } catch (err) {
    throw !fromPatch && isConflict(err) ? new PatchedStale(err) : err;
  }
  const written = dryRun ? asStored(obj, existing) : await readBack(pods, target, name, observed);
  return { code: 200, body: await recordManagers(pods, target, existing, written, who, dryRun), warnings };
}

export function preconditionOf(target: WriteTarget, name: string, resourceVersion: string): Precondition {
  return { kind: target.resource.kind, ...(target.resource.namespaced ? { namespace: target.namespace ?? DEFAULT_NAMESPACE } : {}), name, resourceVersion };
}

/**
 * A stale resourceVersion (one the object no longer has) is the API server's 409 Conflict. An
 * object without a version of its own (the `default` ServiceAccount podctl shows until one is
 * stored) has never been written: no version a client read of it is stale.
 */
export function checkResourceVersion(r: ApiResource, name: string, given: unknown, existing: JsonMap): void {
  if (given === undefined || given === '') return;
  const own = metaOf(existing).resourceVersion;
  if (own === undefined || given === own) return;
  throw conflict(r, name);
}

/** The API server's 409 Conflict of a write on a version the object no longer has. */
export function conflict(r: ApiResource, name: string): PodctlError {
  return apiError('FAILED_PRECONDITION', failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(r, name)}: the object has been modified; please apply your changes to the latest version and try again`, { name, ...(r.group ? { group: r.group } : {}), kind: r.name }));
}

/** The store's refusal of a write whose precondition no longer held (ObjectStore.expecting), or the API's own. */
export const isConflict = (err: unknown): boolean => isPodctlError(err, 'FAILED_PRECONDITION') && (err.details?.conflict !== undefined || (err.details?.status as Status | undefined)?.reason === 'Conflict');

/** What a dry run answers: the object with what the store would keep from the existing one. */
export function asStored(obj: JsonMap, existing: JsonMap | undefined): JsonMap {
  const before = existing ? metaOf(existing) : {};
  const keep = Object.fromEntries(['uid', 'creationTimestamp', 'resourceVersion', 'generation'].filter((k) => before[k] !== undefined).map((k) => [k, before[k]]));
  return { ...obj, metadata: { ...metaOf(obj), ...keep }, ...(existing?.status !== undefined ? { status: existing.status } : {}) };
}

export async function readBack(pods: PodManager, target: WriteTarget, name: string, observed?: ObservedObjects): Promise<JsonMap> {
  const obj = await current(pods, target, name, observed);
  if (!obj) throw new PodctlError('INTERNAL', `${qualifiedName(target.resource, name)} was written but cannot be read back`);
  return obj;
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** Five characters as the API server's generateName adds them (no vowels, no look-alikes). */
function generatedSuffix(): string {
  return [...randomBytes(5)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

/**
 * The object through podctl's apply: checked by planApply (the OpenAPI schema and podctl's
 * readers: an error is a 422 Invalid with a cause per field), then written as `podctl apply`
 * writes it, unless a dry run. The warnings are the fields podctl cannot honour.
 */
export async function writeThrough(pods: PodManager, target: WriteTarget, obj: JsonMap, dryRun: boolean, precondition?: Precondition): Promise<string[]> {
  const r = target.resource;
  const name = String(metaOf(obj).name);
  const namespace = target.namespace ?? DEFAULT_NAMESPACE;
  const docs: ManifestDocument[] = [{ source: SOURCE, value: obj } as ManifestDocument];
  const opened = await openWorkloadContext(pods, namespace);
  // The record is written only while it still has the version the request was made on.
  const ctx = precondition ? { ...opened, store: opened.store.expecting(precondition) } : opened;
  const defaults = { namespace, defaultNetwork: ctx.defaults.defaultNetwork, pauseImage: DEFAULT_PAUSE_IMAGE };
  let plan: ApplyPlan;
  let services: ReturnType<typeof loadServices> | undefined;
  try {
    plan = await planApply(docs, defaults, ctx.store, { otherKinds: [SERVICE_KIND] });
    if (plan.others.length > 0) services = loadServices(plan.others, namespace, { strict: false });
  } catch (err) {
    throw asInvalid(r, name, err);
  }
  const warnings = [...plan.warnings, ...(services?.warnings ?? [])].map(withoutSource);
  if (dryRun) return warnings;
  try {
    await applyConfigObjects(ctx, plan);
    if (services) await applyServices(pods, services, (line) => warnings.push(line));
    for (const { spec } of plan.pods) await applyPod(pods, spec);
    for (const w of plan.workloads) await applyWorkload(ctx, w, { recordOnly: true });
  } catch (err) {
    if (isConflict(err)) throw conflict(r, name);
    // What the write path refuses (an immutable field, an address taken) is the object's fault: Invalid.
    throw isPodctlError(err, 'INVALID_ARGUMENT') ? asInvalid(r, name, err) : err;
  }
  return warnings;
}

/** The source name planApply puts before each problem; taken off again for the causes. */
const SOURCE = 'request';
const withoutSource = (line: string) => (line.startsWith(`${SOURCE}: `) ? line.slice(SOURCE.length + 2) : line);

interface Cause {
  field?: string;
  message: string;
}

/** A podctl refusal of the object as the API server's 422 Invalid, a cause per problem with its field path. */
function asInvalid(r: ApiResource, name: string, err: unknown): unknown {
  if (!isPodctlError(err, 'INVALID_ARGUMENT')) return err;
  const problems = (err.details?.problems as string[] | undefined) ?? [err.message];
  return invalid(r, name, problems.map(withoutSource).map(causeOf));
}

/** `spec.replicas: must be >= 0` → the field and the message. */
export function causeOf(line: string): Cause {
  const m = /^([A-Za-z$][\w.$-]*(?:\[[^\]]*\][\w.$-]*)*): (.*)$/.exec(line);
  return m ? { field: m[1]!, message: m[2]! } : { message: line };
}

function invalid(r: ApiResource, name: string, causes: Cause[]): PodctlError {
  const text = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const message = `${r.kind} "${name}" is invalid: ${text.length > 1 ? `[${text.join(', ')}]` : text[0]}`;
  const status: Status = failure(422, 'Invalid', message, {
    name,
    ...(r.group ? { group: r.group } : {}),
    kind: r.kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, ...(c.field ? { field: c.field } : {}) })),
  });
  return apiError('INVALID_ARGUMENT', status);
}

/** DeleteOptions from the query (kubectl) or the body (client libraries): the body wins where both say. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  /** The object is deleted only while it has this uid and this resourceVersion (the body's `preconditions`). */
  preconditions?: { uid?: string; resourceVersion?: string };
}

export function deleteOptions(query: URLSearchParams, body: unknown): DeleteOptions {
  const fromBody = isMap(body) ? body : {};
  const grace = fromBody.gracePeriodSeconds ?? query.get('gracePeriodSeconds') ?? undefined;
  const propagation = fromBody.propagationPolicy ?? query.get('propagationPolicy') ?? undefined;
  const gracePeriodSeconds = grace === undefined || grace === null ? undefined : Number(grace);
  if (gracePeriodSeconds !== undefined && (!Number.isInteger(gracePeriodSeconds) || gracePeriodSeconds < 0)) throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(grace)}: must be a non-negative integer`);
  if (propagation !== undefined && propagation !== null && !['Orphan', 'Background', 'Foreground'].includes(String(propagation))) {
    throw badRequest(`propagationPolicy: Unsupported value: "${String(propagation)}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const preconditions = preconditionsOf(fromBody.preconditions);
  return {
    ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    ...(propagation ? { propagationPolicy: String(propagation) as PropagationPolicy } : {}),
    ...(preconditions ? { preconditions } : {}),
  };
}

/** `preconditions: {uid, resourceVersion}` (either may be left out or null); undefined when neither is set. */
function preconditionsOf(value: unknown): DeleteOptions['preconditions'] {
  if (value === undefined || value === null) return undefined;
  if (!isMap(value)) throw badRequest('preconditions: Invalid value: must be an object with uid and/or resourceVersion');
  const out: NonNullable<DeleteOptions['preconditions']> = {};
  for (const key of ['uid', 'resourceVersion'] as const) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw badRequest(`preconditions.${key}: Invalid value: ${JSON.stringify(v)}: must be a string`);
    out[key] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
