import type { DeploymentSpec } from 'kubernetes-types/apps/v1.js';
import type { PodView } from '../../pod/status.js';
import { PodctlError } from '../../util/errors.js';
import type { KubeObject, ObjectStore } from '../objects/store.js';
import { objectRef } from '../object-ref.js';
import { podReady } from '../pod-status.js';
import { parseSelector } from '../selector.js';
import { observeJob, type JobStatus } from './job-status.js';
import { controllerRef, replicaSetUid } from '../controllers/owners.js';
import { replicaWorkloadStatus, type ReplicaWorkloadStatus } from '../controllers/replica-workload-status.js';
import { hashOf, ownedPods, replicaObservation, workloadOf, type Workload, type WorkloadContext } from './workloads.js';

/**
 * Reading stored objects for `get` and `describe`: records with their live status filled in
 * from one pod list. Reading never acts: no controller runs, no pod is made or stopped.
 */

/** The record, or NOT_FOUND naming the namespace. */
export async function requireObject(store: ObjectStore, kind: string, namespace: string, name: string): Promise<KubeObject> {
  const o = await store.get(kind, namespace, name);
  if (!o) throw new PodctlError('NOT_FOUND', `${objectRef(kind, name)} not found in namespace ${namespace}`, { hint: `list them with podctl get ${kind.toLowerCase()}s` });
  return o;
}

const REPLICA_KINDS = ['Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet'];

/** ReplicaSets as Kubernetes would show them: one per template hash of each Deployment's pods, plus those applied as such. */
function replicaSetsOf(deployments: Workload[], views: PodView[], standalone: KubeObject[]): KubeObject[] {
  const out: KubeObject[] = [...standalone];
  for (const d of deployments) {
    const owned = ownedPods(d, views);
    const current = hashOf(d);
    const deploymentSpec = d.obj.spec as Partial<DeploymentSpec>;
    const hashes = [...new Set([current, ...owned.map((v) => v.labels['pod-template-hash']!)])];
    for (const hash of hashes) {
      const pods = owned.filter((v) => v.labels['pod-template-hash'] === hash);
      if (hash !== current && pods.length === 0) continue;
      out.push({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${d.name}-${hash}`,
          namespace: d.namespace,
          labels: { ...(d.template.metadata?.labels ?? {}), 'pod-template-hash': hash },
          creationTimestamp: d.obj.metadata.creationTimestamp,
          // The uid its pods' owner references name (derived: these ReplicaSets are not stored).
          ...(d.obj.metadata.uid ? { uid: replicaSetUid(d.obj.metadata.uid, hash), ownerReferences: [controllerRef('Deployment', d.name, d.obj.metadata.uid)] } : {}),
        },
        spec: { replicas: hash === current ? (deploymentSpec.replicas ?? 1) : 0, selector: deploymentSpec.selector, template: d.template },
        status: { replicas: pods.length, readyReplicas: pods.filter(podReady).length },
      });
    }
  }
  return out;
}

/**
 * The status `get` and `describe` show for replica workloads and Jobs. A stored status is as
 * old as the last controller run, and nothing may run on a read: so the counters come from the
 * pod list now (they are never stale), while the conditions and observedGeneration stay as the
 * controller last wrote them (they say what it decided, and when). A record's own status stays
 * for the other kinds.
 */
function withStatus(o: KubeObject, ctx: WorkloadContext, views: PodView[]): KubeObject {
  if (o.kind === 'Job') {
    const w = workloadOf(o, ctx.defaults);
    return { ...o, status: observeJob(w, o.status as Partial<JobStatus> | undefined, ownedPods(w, views)).status };
  }
  if (!REPLICA_KINDS.includes(o.kind)) return o;
  const stored = o.status as (ReplicaWorkloadStatus & { conditions?: unknown }) | undefined;
  // READY as the pods are now (a pod just started is ready), as get showed it before status was
  // written, and AVAILABLE by the same readiness (with minReadySeconds 0 it is READY, as in kubectl).
  const { conditions: _c, observedGeneration: _g, ...live } = replicaWorkloadStatus(stored, replicaObservation(workloadOf(o, ctx.defaults), views, new Date(), podReady)) as ReplicaWorkloadStatus & { conditions?: unknown };
  return {
    ...o,
    status: {
      ...(stored?.observedGeneration !== undefined ? { observedGeneration: stored.observedGeneration } : {}),
      ...live,
      ...(stored?.conditions !== undefined ? { conditions: stored.conditions } : {}),
    },
  };
}

/**
 * The records of one kind in `namespace` (every namespace when undefined), live status filled
 * in, filtered by `names` (each must exist) and a label selector (`app=web,tier!=db`).
 */
export async function listObjects(ctx: WorkloadContext, kind: string, namespace: string | undefined, names: string[] = [], selector?: string): Promise<KubeObject[]> {
  const needsPods = REPLICA_KINDS.includes(kind) || kind === 'Job';
  const views = needsPods ? await ctx.pods.list({ namespace, all: true }) : [];
  let list = await ctx.store.list(kind, namespace);
  if (kind === 'ReplicaSet') {
    const deployments = (await ctx.store.list('Deployment', namespace)).map((d) => workloadOf(d, ctx.defaults));
    list = replicaSetsOf(deployments, views, list);
  }
  if (selector) {
    const match = parseSelector(selector);
    list = list.filter((o) => match(o.metadata.labels ?? {}));
  }
  if (names.length > 0) {
    const missing = names.filter((n) => !list.some((o) => o.metadata.name === n));
    if (missing.length > 0) throw new PodctlError('NOT_FOUND', `${objectRef(kind, missing[0]!)} not found in namespace ${namespace ?? 'any'}`, { hint: `list them with podctl get ${kind.toLowerCase()}s` });
    list = list.filter((o) => names.includes(o.metadata.name));
  }
  return list.map((o) => withStatus(o, ctx, views));
}

/** A workload's pods as the pod list shows them now. */
export async function podsOfWorkload(ctx: WorkloadContext, w: Workload): Promise<PodView[]> {
  return ownedPods(w, await ctx.pods.list({ namespace: w.namespace, all: true }));
}
