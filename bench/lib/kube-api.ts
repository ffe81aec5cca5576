import { KUBECTL_NEWEST, serveApi } from './api-client.js';
import { timedOk } from './proc.js';
import { ms, target, type Row, type Target } from './report.js';
import { deployment } from './serve.js';
import { NAMESPACE, PODCTL, podctlArgs } from './setting.js';
import { median, pairedRatio, round } from './stats.js';

/**
 * The Kubernetes API through `podctl serve` against the plain alternatives in the same run:
 * `kubectl get pods` with 100 pods present against `kubectl version` (one request, the floor
 * of any kubectl command against the same server), and `kubectl apply -f` of a Deployment plus
 * `kubectl rollout status` (serve's controllers make the pods) against `podctl apply --wait` of
 * the same file (podctl makes them in-process), alternating rounds.
 */
export interface KubeApiOptions {
  /** Pods present while `kubectl get pods` lists them. */
  listPods: number;
  /** get/version pairs. */
  listRounds: number;
  applyReplicas: number;
  /** Rounds of each apply, alternating. */
  applyRounds: number;
}

const removeDeployment = (name: string) => timedOk(PODCTL, podctlArgs(['delete', 'deployment', name, '-n', NAMESPACE]), { timeoutMs: 600_000 });

export async function measureKubeApi(scratch: string, o: KubeApiOptions, say: (text: string) => void): Promise<{ rows: Row[]; targets: Target[]; results: Record<string, unknown> }> {
  const api = await serveApi(scratch);
  const listed = 'pct-bench-list';
  const applied = 'pct-bench-kapply';
  try {
    say(`kube-api: ${o.listPods} pods, then ${o.listRounds} pairs of kubectl get pods and kubectl version`);
    await timedOk(PODCTL, podctlArgs(['apply', '-f', deployment(scratch, listed, o.listPods), '--wait']), { timeoutMs: 1_200_000 });
    // Both warmed: kubectl's discovery cache is written by the first command.
    await api.kubectl(KUBECTL_NEWEST, ['version']);
    const first = await api.kubectl(KUBECTL_NEWEST, ['get', 'pods', '--no-headers']);
    const listedPods = first.stdout.trim().split('\n').length;
    if (listedPods !== o.listPods) throw new Error(`kubectl get pods listed ${listedPods} pods, not ${o.listPods}`);
    const get: number[] = [];
    const version: number[] = [];
    for (let r = 0; r < o.listRounds; r++) {
      get.push((await api.kubectl(KUBECTL_NEWEST, ['get', 'pods'])).ms);
      version.push((await api.kubectl(KUBECTL_NEWEST, ['version'])).ms);
    }
    await removeDeployment(listed);

    say(`kube-api: ${o.applyRounds} rounds of kubectl apply + rollout status and podctl apply --wait, ${o.applyReplicas} replicas`);
    const file = deployment(scratch, applied, o.applyReplicas);
    const apply = { kubectl: [] as number[], podctl: [] as number[] };
    for (let r = 0; r < o.applyRounds; r++) {
      for (const way of r % 2 === 0 ? (['kubectl', 'podctl'] as const) : (['podctl', 'kubectl'] as const)) {
        if (way === 'kubectl') {
          const created = await api.kubectl(KUBECTL_NEWEST, ['apply', '-f', file]);
          const rolledOut = await api.kubectl(KUBECTL_NEWEST, ['rollout', 'status', `deployment/${applied}`, '--timeout=10m']);
          apply.kubectl.push(created.ms + rolledOut.ms);
        } else {
          apply.podctl.push((await timedOk(PODCTL, podctlArgs(['apply', '-f', file, '--wait']), { timeoutMs: 600_000 })).ms);
        }
        await removeDeployment(applied);
      }
    }
    const listRatio = pairedRatio(get, version);
    const applyRatio = pairedRatio(apply.kubectl, apply.podctl);
    const rows: Row[] = [
      { what: `kubectl get pods, ${o.listPods} pods (1.33, median)`, value: ms(median(get)) },
      { what: 'kubectl version against the same server (median)', value: ms(median(version)) },
      { what: `kubectl apply -f + rollout status, ${o.applyReplicas} replicas (median)`, value: ms(median(apply.kubectl)) },
      { what: 'podctl apply -f --wait of the same file (median)', value: ms(median(apply.podctl)) },
    ];
    const targets = [
      target(`kubectl get pods (${o.listPods} pods) / kubectl version`, listRatio, '<=', 1.3),
      target('kubectl apply + rollout status / podctl apply --wait', applyRatio, '<=', 1.2),
    ];
    const results = {
      list: { pods: o.listPods, getMs: get.map((x) => round(x, 0)), versionMs: version.map((x) => round(x, 0)), ratio: round(listRatio) },
      apply: { replicas: o.applyReplicas, kubectlMs: apply.kubectl.map((x) => round(x, 0)), podctlMs: apply.podctl.map((x) => round(x, 0)), ratio: round(applyRatio) },
    };
    return { rows, targets, results };
  } finally {
    await api.stop();
    for (const name of [listed, applied]) await timedOk(PODCTL, podctlArgs(['delete', 'deployment', name, '-n', NAMESPACE, '--ignore-not-found']), { timeoutMs: 600_000 }).catch(() => undefined);
  }
}
