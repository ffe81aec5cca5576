import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitHttp200 } from './http.js';
import { stopwatch, timedOk } from './proc.js';
import { median } from './stats.js';
import { APP_IMAGE, NAMESPACE, NETWORK, PAUSE_IMAGE, PODCTL, PODMAN_PREFIX, podctlArgs } from './setting.js';

/**
 * One Deployment file, run by `podctl apply -f` (returns once every pod passed its readiness
 * probe) and by `podman kube play` (returns once the containers started; podman 4 runs no
 * readiness probes, so its time runs on until every pod answers HTTP, the probe's own check).
 * Alternating rounds, each removed before the next (podctl delete, podman kube down).
 * The name carries the podman prefix so cleanBench finds podman's pods after a crash.
 */
export interface KubePlayResult {
  replicas: number;
  podctlMs: number;
  podmanMs: number;
  /** Pods podman made of the file (podman versions differ on honouring replicas). */
  podmanPods: number;
  rounds: number;
}

const NAME = `${PODMAN_PREFIX}deploy`;

function manifest(replicas: number): string {
  // IfNotPresent: with :latest both engines would otherwise try a registry.
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${NAME}, namespace: ${NAMESPACE} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${NAME} } }
  template:
    metadata: { labels: { app: ${NAME} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: nginx
          image: "${APP_IMAGE}"
          imagePullPolicy: IfNotPresent
          readinessProbe: { httpGet: { path: /, port: 80 }, periodSeconds: 1 }
`;
}

const SYSTEM_CONF = '/etc/containers/containers.conf';

/**
 * `kube play` has no --infra-image and podman 4.3 would build its own pause from catatonit
 * (not installed): the same pause podctl uses, through a containers.conf of this run only
 * (CONTAINERS_CONF replaces the system file, so that file's settings are carried over).
 */
export function confWithInfraImage(system: string, image: string): string {
  const line = `infra_image = "${image}"`;
  if (/^\s*infra_image\s*=/m.test(system)) return system.replace(/^\s*infra_image\s*=.*$/m, line);
  if (/^\s*\[engine\]\s*$/m.test(system)) return system.replace(/^\s*\[engine\]\s*$/m, (header) => `${header}\n${line}`);
  return `${system}${system && !system.endsWith('\n') ? '\n' : ''}[engine]\n${line}\n`;
}

export async function measureKubePlay(podmanNetworkDir: string, replicas: number, rounds: number): Promise<KubePlayResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pct-bench-play-'));
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, confWithInfraImage(existsSync(SYSTEM_CONF) ? readFileSync(SYSTEM_CONF, 'utf8') : '', PAUSE_IMAGE));
  const podman = (args: string[]) => timedOk('podman', ['--network-config-dir', podmanNetworkDir, ...args], { env: { CONTAINERS_CONF: conf } });
  const file = join(dir, 'deploy.yaml');
  writeFileSync(file, manifest(replicas));
  const podctlMs: number[] = [];
  const podmanMs: number[] = [];
  let podmanPods = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      podctlMs.push((await stopwatch(() => timedOk(PODCTL, podctlArgs(['apply', '-f', file])))).ms);
      await timedOk(PODCTL, podctlArgs(['delete', 'deployment', NAME, '-n', NAMESPACE]));
      const played = await stopwatch(async () => {
        await podman(['kube', 'play', '--network', NETWORK, file]);
        const ids = (await podman(['ps', '-q', '--filter', `name=^${NAME}-pod-\\d+-nginx$`])).stdout.split('\n').filter(Boolean);
        const ips = (await podman(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', ...ids])).stdout.split('\n').filter(Boolean);
        await Promise.all(ips.map((ip) => waitHttp200(ip)));
        return ips.length;
      });
      podmanMs.push(played.ms);
      podmanPods = played.value;
      await podman(['kube', 'down', file]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { replicas, podctlMs: median(podctlMs), podmanMs: median(podmanMs), podmanPods, rounds };
}
