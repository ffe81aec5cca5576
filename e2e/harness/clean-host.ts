// Run before the e2e suite (scripts/run-tests.sh): an earlier run killed midway must not poison
// this one. Removes every pod named with podctl's test prefix, lets `podctl gc` finish whatever
// interrupted operations left, deletes test bridges no pod uses any more, and says what it did.
//
//   node --import tsx e2e/harness/clean-host.ts
import { execa } from 'execa';
import { podctl, podctlOk } from './run.js';

/** Every name the e2e tests give pods, bridges and networks starts with this. */
export const TEST_PREFIX = 'pct-';

interface Row { name: string }
interface GcAction { kind: string; target: string; action: string; reason: string; error?: string }

export async function cleanHost(): Promise<string[]> {
  const done: string[] = [];
  const pods = (JSON.parse((await podctlOk(['ps', '-a', '-o', 'json'])).stdout) as Row[]).map((p) => p.name).filter((n) => n.startsWith(TEST_PREFIX));
  if (pods.length > 0) {
    const rm = await podctl(['rm', '-f', ...pods]);
    done.push(`removed ${pods.length} test pod(s) an earlier run left: ${pods.join(', ')}${rm.exitCode === 0 ? '' : ` (rm -f: ${rm.stderr.trim()})`}`);
  }
  const gc = JSON.parse((await podctlOk(['gc', '-o', 'json'])).stdout) as { actions: GcAction[] };
  for (const a of gc.actions) done.push(`gc: ${a.action} ${a.kind} ${a.target}: ${a.reason}${a.error ? ` (failed: ${a.error})` : ''}`);
  const links = JSON.parse(String((await execa('ip', ['-j', 'link', 'show', 'type', 'bridge'])).stdout)) as Array<{ ifname: string }>;
  for (const { ifname } of links.filter((l) => l.ifname.startsWith(TEST_PREFIX))) {
    const r = await execa('ip', ['link', 'del', ifname], { reject: false });
    done.push(`deleted test bridge ${ifname}${r.exitCode === 0 ? '' : ` (failed: ${String(r.stderr).trim()})`}`);
  }
  return done;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const done = await cleanHost();
  if (done.length === 0) console.log('# e2e: the host was clean (no leftovers of earlier test runs)');
  else console.log(`# e2e: cleaned ${done.length} leftover(s) of earlier test runs:\n${done.map((d) => `#   ${d}`).join('\n')}`);
}
