import { isPodctlError } from '../../util/errors.js';
import type { KubeObject } from '../objects/store.js';
import { requireObject } from './read-objects.js';
import { reconcileReplicas, updateWorkloadSpec, workloadOf, type WorkloadContext } from './workloads.js';

/**
 * `scale` and `rollout restart`: a change of a replica workload's stored spec, written under
 * its record lock from the record as it is now (concurrent changes never undo each other's
 * write), then the controller's run, which converges to the last write. Each returns the
 * record written, whose generation a later wait compares against.
 */

/** The controller's run after a change; when a wait follows, a stalled rollout is not a failure yet (the wait says at its end what is missing). */
async function reconcileAfterChange(ctx: WorkloadContext, record: KubeObject, waitsAfter: boolean): Promise<void> {
  await reconcileReplicas(ctx, workloadOf(record, ctx.defaults)).catch((err: unknown) => {
    if (!(waitsAfter && isPodctlError(err, 'FAILED_PRECONDITION'))) throw err;
  });
}

export async function scaleWorkload(ctx: WorkloadContext, kind: string, namespace: string, name: string, replicas: number, options: { waitsAfter?: boolean } = {}): Promise<KubeObject> {
  const next = (await updateWorkloadSpec(ctx, kind, namespace, name, (spec) => ({ ...spec, replicas }))) ?? (await requireObject(ctx.store, kind, namespace, name));
  await reconcileAfterChange(ctx, next, options.waitsAfter ?? false);
  return next;
}

/** As kubectl: a template annotation with the time gives the template a new hash, so every pod is replaced. */
export async function restartRollout(ctx: WorkloadContext, kind: string, namespace: string, name: string): Promise<KubeObject> {
  const next =
    (await updateWorkloadSpec(ctx, kind, namespace, name, (spec) => {
      const template = (spec.template ?? {}) as { metadata?: { annotations?: Record<string, string> } };
      return { ...spec, template: { ...template, metadata: { ...template.metadata, annotations: { ...template.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } };
    })) ?? (await requireObject(ctx.store, kind, namespace, name));
  await reconcileAfterChange(ctx, next, false);
  return next;
}
