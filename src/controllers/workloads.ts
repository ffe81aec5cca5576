import { DEFAULT_PAUSE_IMAGE } from '../docker/pause-image.js';
import { objectLookup } from '../kube/kinds/config-objects.js';
import { jobCondition } from '../kube/kinds/job-status.js';
import { collectGarbage } from '../kube/kinds/garbage-collector.js';
import { WORKLOAD_KINDS, finishDeletion, reconcileJob, reconcileReplicasIfFree, workloadOf, type WorkloadContext } from '../kube/kinds/workloads.js';
import type { KubeObject, ObjectStore } from '../kube/objects/store.js';
import type { LabelPredicate } from '../kube/selector.js';
import type { PodManager } from '../pod/manager.js';
import { DEFAULT_NAMESPACE } from '../pod/spec.js';
import { keyOf, parseKey } from './keys.js';

/** What a sync asks of the queue besides forgetting its failures: to be run again after a while. */
/** Reads one desired object from the store. */
export type RecordReader = (kind: string, namespace: string, name: string) => Promise<KubeObject | undefined>;

export interface SyncResult {
  requeueAfterMs?: number;
}

/** A command holds the workload's controller lock (it converges itself): look again after this. */
const BUSY_RETRY_MS = 1000;
/** A pod due to count as available is looked at this long after it is due (Docker's uptime text turns over then). */
const AVAILABLE_SLACK_MS = 50;

/**
 * The Deployment, ReplicaSet, StatefulSet, DaemonSet and Job controllers as level-triggered
 * `sync(key)`: read the desired object from the store and the pods (one list), do one round of
 * the workload's reconcile (src/kube/kinds/workloads.ts, detached: no readiness wait), return.
 * A readiness wait that ends, a Docker event of an owned pod or the resync syncs it again.
 */
export class WorkloadControllers {
  /** The selectors of the workloads synced so far, by key: Docker events find their owners here. */
  private readonly owners = new Map<string, { namespace: string; selector: LabelPredicate }>();

  constructor(
    private readonly pods: PodManager,
    private readonly store: ObjectStore,
    private readonly readiness: { watch(pod: string, join: () => Promise<void>, owner: string): void },
    /** What each sync did, one line per pod ("pod/web-x created"). */
    private readonly report: (key: string, line: string) => void = () => undefined,
    /** How long one readiness wait probes before it gives up (and the next sync starts another). */
    readonly readyTimeoutMs = 60_000,
  ) {}

  /** Every stored workload's key (the periodic resync). */
  async keys(): Promise<string[]> {
    const objects = (await Promise.all(WORKLOAD_KINDS.map((kind) => this.store.list(kind)))).flat();
    return objects.map((o) => keyOf({ kind: o.kind, namespace: o.metadata.namespace ?? DEFAULT_NAMESPACE, name: o.metadata.name }));
  }

  /** The garbage collector's pass over every namespace (serve's resync). */
  async collectGarbage(): Promise<string[]> {
    return collectGarbage(await this.context('garbage-collector'));
  }

  /** The keys of the workloads whose selector picks a pod with these labels in `namespace`. */
  ownersOf(namespace: string, labels: Record<string, string>): string[] {
    return [...this.owners].filter(([, o]) => o.namespace === namespace && o.selector(labels)).map(([key]) => key);
  }

  /** `readRecord`: how to read the desired object (serve's makes sure it is not behind the change log). */
  async sync(key: string, readRecord: RecordReader = (kind, namespace, name) => this.store.get(kind, namespace, name)): Promise<SyncResult> {
    const { kind, namespace, name } = parseKey(key);
    const obj = await readRecord(kind, namespace, name);
    const recheck: { at?: number } = {};
    const ctx = await this.context(key, (ms) => (recheck.at = Math.min(recheck.at ?? ms, ms)));
    if (!obj) {
      // Deleted (Background): a command removed its pods itself; the API leaves them to the
      // garbage collector, as does a command killed before it was done.
      this.owners.delete(key);
      for (const pod of await collectGarbage(ctx, namespace)) this.report(key, `pod/${pod} deleted (its owner is gone)`);
      return {};
    }
    if (obj.metadata.deletionTimestamp) {
      // Foreground or Orphan deletion under way (the API's, or a killed command's): finished here.
      await finishDeletion(ctx, obj);
      this.report(key, `deleted (${(obj.metadata.finalizers ?? []).join(', ')})`);
      return {};
    }
    const w = workloadOf(obj, ctx.defaults);
    this.owners.set(key, { namespace, selector: w.selector });
    if (w.kind === 'Job') {
      const { status } = await reconcileJob(ctx, w);
      if (jobCondition(status)) return {};
      // activeDeadlineSeconds passes without any event: look again when it is due.
      const deadline = (obj.spec as { activeDeadlineSeconds?: number } | undefined)?.activeDeadlineSeconds;
      return deadline !== undefined && status.startTime ? { requeueAfterMs: Math.max(0, Date.parse(status.startTime) + deadline * 1000 - Date.now()) + 50 } : {};
    }
    const changed = await reconcileReplicasIfFree(ctx, w);
    if (changed === undefined) return { requeueAfterMs: BUSY_RETRY_MS };
    // Something was done: the next round looks at its outcome (a replaced pod's successor, ...).
    if (changed) return { requeueAfterMs: 0 };
    // A ready pod becomes available after a while, and its status with it (rollout status waits for that).
    return recheck.at !== undefined ? { requeueAfterMs: recheck.at + AVAILABLE_SLACK_MS } : {};
  }

  /** A context per sync: config objects as stored now, readiness waits handed to serve with the owner's key. */
  private async context(key: string, recheckAfter: (ms: number) => void = () => undefined): Promise<WorkloadContext> {
    const defaults = { namespace: DEFAULT_NAMESPACE, defaultNetwork: await this.pods.defaultNetwork(), pauseImage: DEFAULT_PAUSE_IMAGE, objects: await objectLookup(this.store, []) };
    return {
      pods: this.pods,
      store: this.store,
      defaults,
      readyTimeoutMs: this.readyTimeoutMs,
      report: (line) => this.report(key, line),
      detached: { watchReadiness: (pod, join) => this.readiness.watch(pod, join, key), recheckAfter },
    };
  }
}
