import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { BRIDGE, BY_HAND, BY_HAND_PREFIX, CONF_FILE, IPAM_DIR, NAMESPACE, PODCTL, PODMAN_PREFIX, podctlArgs } from './setting.js';

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

async function output(file: string, args: string[]): Promise<string> {
  const r = await execa(file, args, { reject: false });
  return r.exitCode === 0 ? String(r.stdout) : '';
}

/** podctl pods of the bench namespace ("pct-bench/NAME"). */
export async function benchPods(): Promise<string[]> {
  return lines(await output(PODCTL, podctlArgs(['ps', '-a', '-q', '-n', NAMESPACE])));
}

/**
 * Removes everything a bench run (this one or a crashed earlier one) made: podctl pods of the
 * bench namespace, by-hand pods (CNI DEL, containers, netns link), podman pods, then the bench
 * bridge and IP files once no pod uses them. Touches nothing without a bench name.
 */
export async function cleanBench(podmanNetworkDir?: string): Promise<string[]> {
  const removed: string[] = [];
  const pods = await benchPods();
  if (pods.length > 0) {
    await execa(PODCTL, podctlArgs(['rm', '-f', ...pods]), { reject: false });
    removed.push(...pods.map((p) => `podctl pod ${p}`));
  }
  const byHand = lines(await output('docker', ['ps', '-a', '--filter', `name=^${BY_HAND_PREFIX}`, '--format', '{{.Names}}']));
  for (const pod of new Set(byHand.map((n) => n.slice(BY_HAND_PREFIX.length).replace(/-(pause|app)$/, '')))) {
    await execa(BY_HAND, ['down', pod, CONF_FILE], { reject: false });
    removed.push(`by-hand pod ${pod}`);
  }
  if (podmanNetworkDir) {
    const podmanPods = lines(await output('podman', ['pod', 'ps', '--filter', `name=^${PODMAN_PREFIX}`, '--format', '{{.Name}}']));
    for (const pod of podmanPods) {
      await execa('podman', ['--network-config-dir', podmanNetworkDir, 'pod', 'rm', '-f', pod], { reject: false });
      removed.push(`podman pod ${pod}`);
    }
  }
  if ((await output('ip', ['link', 'show', BRIDGE])) !== '') {
    await execa('ip', ['link', 'delete', BRIDGE], { reject: false });
    removed.push(`bridge ${BRIDGE}`);
  }
  await rm(IPAM_DIR, { recursive: true, force: true });
  return removed;
}
