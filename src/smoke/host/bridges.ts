import { bridgeOfPlugin, type NetworkConfigList } from '../../cni/index.js';
import type { RunProgram } from '../../util/run-command.js';

/** The bridge names the networks' bridge plugins use (the plugin's default is cni0). */
export function bridgeNames(nets: NetworkConfigList[]): Set<string> {
  const names = new Set<string>();
  for (const net of nets) {
    for (const p of net.plugins) if (p.type === 'bridge') names.add(bridgeOfPlugin(p));
  }
  return names;
}

/**
 * Deletes the bridges this run brought into being: named by a tested network, absent
 * before the run, and with no port left. A bridge that was there before is never touched.
 */
export async function removeNewBridges(run: RunProgram, before: Set<string>, candidates: Set<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of candidates) {
    if (before.has(name)) continue;
    const ports = await run('ip', ['-j', 'link', 'show', 'master', name]);
    if (ports.exitCode !== 0) continue; // gone or never made
    if ((JSON.parse(ports.stdout || '[]') as unknown[]).length > 0) continue;
    if ((await run('ip', ['link', 'delete', name, 'type', 'bridge'])).exitCode === 0) removed.push(name);
  }
  return removed;
}
