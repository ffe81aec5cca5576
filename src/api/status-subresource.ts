import type { IncomingMessage } from 'node:http';
import { withWorkloadRecord } from '../kube/kinds/workloads.js';
import { openWorkloadContext } from '../kube/kinds/workload-context.js';
import type { KubeObject } from '../kube/objects/store.js';
import type { PodManager } from '../pod/manager.js';
import { DEFAULT_NAMESPACE } from '../pod/spec.js';
import { isPodctlError } from '../util/errors.js';
import type { ObservedObjects } from './observed.js';
import { applyPatch } from './patch/index.js';
import { badRequest, objectNotFound } from './status.js';
import {
  checkFields,
  checkResourceVersion,
  conflict,
  current,
  dryRunOf,
  fieldValidationOf,
  methodNotSupported,
  objectOfBody,
  oneAtATime,
  patchTypeOf,
  preconditionOf,
  readBody,
  type WriteReply,
  type WriteTarget,
} from './write.js';

/**
 * The status subresource (`.../NAME/status`): GET answers the object; PUT and PATCH change its
 * `.status` only (the rest of the body is ignored, as the API server does), on the version the
 * client names (409 when stale), or a dry run.
 *
 * Who owns a status decides what a written one becomes. A workload's (Deployment, ReplicaSet,
 * StatefulSet, DaemonSet, Job) is kept in its record, where its controller's next sync (serve
 * runs it on the record's change) writes its own over it, as in Kubernetes; a read fills in the
 * replica counters from the pods (as podctl's get does), so a written counter never shows. A
 * pod's status is what Docker shows of its containers (podctl is its kubelet) and a Service's
 * what the proxy has: a written one has nowhere to be kept, so the write is checked and answered
 * with the status as observed, and a warning says it was not kept. A Deployment's ReplicaSet
 * (computed from its pods, not stored) is answered the same way.
 */
type JsonMap = Record<string, unknown>;

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How often a write without a resourceVersion of its own is made again when another writer came between. */
const ATTEMPTS = 5;

export async function serveStatus(pods: PodManager, target: WriteTarget, req: IncomingMessage, query: URLSearchParams, observed?: ObservedObjects): Promise<WriteReply> {
  const name = target.name!;
  const method = req.method ?? 'GET';
  const read = async () => {
    const o = await current(pods, target, name, observed);
    if (!o) throw objectNotFound(target.resource, name);
    return o;
  };
  if (method === 'GET') return { code: 200, body: await read(), warnings: [] };
  if (method !== 'PATCH' && method !== 'PUT') throw methodNotSupported(target.resource, method);
  const dryRun = dryRunOf(query);
  const type = method === 'PATCH' ? patchTypeOf(req.headers['content-type']) : undefined;
  const body = await readBody(req);
  const fieldWarnings = type === 'application/json-patch+json' ? [] : await checkFields(target.resource, body, fieldValidationOf(query));
  return oneAtATime(async () => {
    for (let attempt = 1; ; attempt++) {
      const existing = await read();
      const next = type ? applyPatch(type, existing, body, target.resource.kind) : objectOfBody(target, body);
      const meta = isMap(next.metadata) ? next.metadata : {};
      if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
      const status = next.status ?? {};
      if (!isMap(status)) throw badRequest('status: Invalid value: must be an object');
      // A version the body names (a PUT's, or one a patch sets) is a precondition; otherwise the one read is.
      const own = (existing.metadata as JsonMap).resourceVersion;
      const named = type ? (meta.resourceVersion !== own ? meta.resourceVersion : undefined) : meta.resourceVersion;
      checkResourceVersion(target.resource, name, named, existing);
      const expected = typeof named === 'string' && named !== '' ? named : typeof own === 'string' && own !== '' ? own : undefined;
      try {
        const { kept } = await writeStatus(pods, target, name, status, expected, dryRun);
        const answer = dryRun ? { ...existing, status } : await read();
        return { code: 200, body: answer, warnings: [...fieldWarnings, ...(kept ? [] : [notKept(target.resource.kind)])] };
      } catch (err) {
        // Another writer came between the read and the write: made again on the object as it is now.
        const stale = isPodctlError(err, 'FAILED_PRECONDITION') && err.details?.conflict !== undefined;
        if (!stale) throw err;
        if (named !== undefined && named !== '') throw conflict(target.resource, name);
        if (attempt >= ATTEMPTS) throw conflict(target.resource, name);
      }
    }
  });
}

/** Kinds whose status podctl observes rather than keeps. */
const OBSERVED = ['Pod', 'Service'];
const isKept = (target: WriteTarget) => !OBSERVED.includes(target.resource.kind);

/** The warning of a status write podctl answers from what it observes. */
export function notKept(kind: string): string {
  const owner = kind === 'Pod' ? "Docker's view of its containers (podctl is its kubelet)" : kind === 'Service' ? "podctl's Service proxy" : 'its pods';
  return `podctl keeps no status of its own for this ${kind}: it is read from ${owner}, so the status written is not kept (as the owner's next status update would replace it)`;
}

/**
 * The status into the workload's record as it is now (its spec, labels and generation stay),
 * under the record's lock and only while the record has `expected` (a dry run only looks).
 * `kept` is false for an object without a record (a pod, a Service, a Deployment's computed
 * ReplicaSet).
 */
async function writeStatus(pods: PodManager, target: WriteTarget, name: string, status: JsonMap, expected: string | undefined, dryRun: boolean): Promise<{ kept: boolean }> {
  if (!isKept(target)) return { kept: false };
  const kind = target.resource.kind;
  const namespace = target.namespace ?? DEFAULT_NAMESPACE;
  const ctx = await openWorkloadContext(pods, namespace);
  const store = expected ? ctx.store.expecting(preconditionOf(target, name, expected)) : ctx.store;
  return withWorkloadRecord(ctx, kind, namespace, name, async (stored: KubeObject | undefined) => {
    if (!stored) return { kept: false };
    if (!dryRun) await store.put({ ...stored, status });
    return { kept: true };
  });
}
