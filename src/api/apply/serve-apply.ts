import { DEFAULT_NAMESPACE } from '../../pod/spec.js';
import type { PodManager } from '../../pod/manager.js';
import type { ObservedObjects } from '../observed.js';
import { groupVersionOf } from '../resources.js';
import { apiError, badRequest, failure } from '../status.js';
import { PatchedStale, againWhenStale, asStored, checkResourceVersion, conflict, current, isConflict, nowSeconds, objectOfBody, preconditionOf, readBack, withEntries, writeThrough, type WriteReply, type WriteTarget } from '../write.js';
import { pathString } from './field-set.js';
import { readManagedFields, writeManagedFields } from './managed-store.js';
import { ApplyConflicts, applyConfiguration, managerPhrase, type Manager } from './ownership.js';

/**
 * PATCH with `application/apply-patch+yaml`: server-side apply. The applied configuration is
 * merged into the object as it is now by field ownership (ownership.ts), or creates it, then
 * written as every other write is (write.ts writeThrough, on the version it was applied to,
 * made again when another writer came between); a conflict is the API server's 409 with one
 * FieldManagerConflict cause per field, as kubectl prints them.
 */
type JsonMap = Record<string, unknown>;

export interface ApplyOptions {
  who: Manager;
  force: boolean;
  dryRun: boolean;
}

export function serverSideApply(pods: PodManager, target: WriteTarget, body: unknown, options: ApplyOptions, observed?: ObservedObjects): Promise<WriteReply> {
  const config = configOf(target, body);
  return againWhenStale(() => applyOnce(pods, target, config, options, observed));
}

/** The applied configuration: apiVersion, kind and the URL's name are required, as the API server requires them. */
function configOf(target: WriteTarget, body: unknown): JsonMap {
  const given = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as JsonMap;
  if (typeof given.apiVersion !== 'string' || !given.apiVersion) throw badRequest('apiVersion must be set in the applied configuration (e.g. apps/v1)');
  if (typeof given.kind !== 'string' || !given.kind) throw badRequest('kind must be set in the applied configuration (e.g. Deployment)');
  const config = objectOfBody(target, body);
  const name = (config.metadata as JsonMap).name;
  if (name !== target.name) throw badRequest(`the name of the object (${String(name)}) does not match the name on the URL (${target.name})`);
  return config;
}

async function applyOnce(pods: PodManager, target: WriteTarget, config: JsonMap, options: ApplyOptions, observed?: ObservedObjects): Promise<WriteReply> {
  const r = target.resource;
  const name = target.name!;
  const namespace = r.namespaced ? (target.namespace ?? DEFAULT_NAMESPACE) : undefined;
  const existing = await current(pods, target, name, observed);
  const meta = (o: JsonMap) => (o.metadata ?? {}) as { uid?: string; resourceVersion?: string };
  const entries = existing ? await readManagedFields(pods.stateDir, r.kind, namespace, name, meta(existing).uid) : [];
  const write = { who: options.who, apiVersion: groupVersionOf(r), time: nowSeconds(), kind: r.kind, force: options.force };
  let applied;
  try {
    applied = applyConfiguration(entries, existing, config, write);
  } catch (err) {
    if (err instanceof ApplyConflicts) throw conflictStatus(err);
    throw err;
  }
  const obj = objectOfBody(target, applied.object);
  // A resourceVersion in the applied configuration makes the apply conditional on it, as a patch's does.
  const asked = meta(config).resourceVersion;
  if (existing) checkResourceVersion(r, name, asked, existing);
  const rv = asked || (existing ? meta(existing).resourceVersion : undefined);
  let warnings: string[];
  try {
    warnings = await writeThrough(pods, target, obj, options.dryRun, rv ? preconditionOf(target, name, rv) : undefined);
  } catch (err) {
    if (isConflict(err)) throw existing && !asked ? new PatchedStale(conflict(r, name)) : err;
    throw err;
  }
  const written = options.dryRun ? asStored(obj, existing) : await readBack(pods, target, name, observed);
  const uid = meta(written).uid;
  if (!options.dryRun && uid) await writeManagedFields(pods.stateDir, r.kind, namespace, name, uid, applied.managedFields);
  return { code: existing ? 200 : 201, body: withEntries(written, applied.managedFields), warnings };
}

/** The API server's 409 for an apply's conflicts: its message, and a cause per field. */
function conflictStatus(err: ApplyConflicts) {
  const causes = err.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${managerPhrase(c.who, c.apiVersion)}`, field: pathString(c.path) }));
  return apiError('FAILED_PRECONDITION', failure(409, 'Conflict', err.message, { causes }));
}
