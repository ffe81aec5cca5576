import type { IncomingMessage } from 'node:http';
import type { PodManager } from '../pod/manager.js';
import { applyPatch } from './patch/index.js';
import { apiError, badRequest, failure, objectNotFound } from './status.js';
import { checkResourceVersion, current, dryRunOf, fieldManagerOf, methodNotSupported, oneAtATime, patchObject, patchTypeOf, readBody, type WriteReply, type WriteTarget } from './write.js';

/**
 * The scale subresource of Deployments, ReplicaSets and StatefulSets (`kubectl scale`): an
 * autoscaling/v1 Scale read from the object, and a change of its spec.replicas written as a
 * merge patch of the object's own, so it goes the way of every other write.
 */
type JsonMap = Record<string, unknown>;

export async function serveScale(pods: PodManager, target: WriteTarget, req: IncomingMessage, query: URLSearchParams): Promise<WriteReply> {
  const name = target.name!;
  const method = req.method ?? 'GET';
  const read = async () => {
    const o = await current(pods, target, name);
    if (!o) throw objectNotFound(target.resource, name);
    return o;
  };
  if (method === 'GET') return { code: 200, body: scaleOf(await read()), warnings: [] };
  if (method !== 'PATCH' && method !== 'PUT') throw methodNotSupported(target.resource, method);
  const dryRun = dryRunOf(query);
  // spec.replicas is recorded for the object, owned by the writer of its scale subresource.
  const who = { manager: fieldManagerOf(query, req.headers['user-agent']), operation: 'Update' as const, subresource: 'scale' };
  const type = method === 'PATCH' ? patchTypeOf(req.headers['content-type']) : undefined;
  const body = await readBody(req);
  return oneAtATime(async () => {
    const existing = await read();
    const scale = scaleOf(existing);
    const next = type ? applyPatch(type, scale, body, 'Scale') : body;
    if (typeof next !== 'object' || next === null) throw badRequest('the body of the request must be a Scale object');
    const meta = ((next as JsonMap).metadata ?? {}) as JsonMap;
    if (meta.resourceVersion !== (scale.metadata as JsonMap).resourceVersion) checkResourceVersion(target.resource, name, meta.resourceVersion, existing);
    const replicas = ((next as JsonMap).spec as JsonMap | undefined)?.replicas;
    if (!Number.isInteger(replicas) || (replicas as number) < 0) {
      throw apiError('INVALID_ARGUMENT', failure(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, { name, group: 'autoscaling', kind: 'Scale', causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'must be greater than or equal to 0' }] }));
    }
    // A version the Scale names is the patch's precondition, checked with the write.
    const version = typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '' ? { metadata: { resourceVersion: meta.resourceVersion } } : {};
    const written = await patchObject(pods, target, 'application/merge-patch+json', { ...version, spec: { replicas } }, dryRun, who);
    return { code: 200, body: scaleOf(written.body as JsonMap), warnings: written.warnings };
  });
}

/** The Scale of an object: its replicas wanted and seen, and its selector as a label query. */
function scaleOf(o: JsonMap): JsonMap {
  const meta = (o.metadata ?? {}) as JsonMap;
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const status = (o.status ?? {}) as { replicas?: number };
  const selector = Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: Object.fromEntries(['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'].filter((k) => meta[k] !== undefined).map((k) => [k, meta[k]])),
    spec: { replicas: spec.replicas ?? 1 },
    status: { replicas: status.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}
