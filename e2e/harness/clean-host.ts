// Run before the e2e suite (scripts/run-tests.sh): an earlier run killed midway must not poison
// this one. Removes what podctl made on this host (found by podctl's own bookkeeping, not by
// name), lets `podctl gc` finish whatever interrupted operations left, deletes test bridges no
// pod uses any more, and says what it did.
//
//   node --import tsx e2e/harness/clean-host.ts
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { podctl, podctlOk } from './run.js';

/** The bridges and networks the e2e tests make are named with this prefix (their pods are named many ways). */
export const TEST_PREFIX = 'pct-';

/** Where `podctl serve` publishes its API's address (src/api/index.ts); the credentials beside it in /var/lib/podctl/api are kept. */
const API_ADDRESS_FILE = '/run/podctl/api/server.json';

interface Ref { name: string; namespace?: string }
interface GcAction { kind: string; target: string; action: string; reason: string; error?: string }

// Workloads first (each takes its pods along), then what pods use, Namespaces last: delete's own order.
const OBJECT_RESOURCES = ['deployments', 'replicasets', 'daemonsets', 'statefulsets', 'jobs', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'namespaces'];

const refText = (r: Ref) => (r.namespace && r.namespace !== 'default' ? `${r.namespace}/${r.name}` : r.name);

/** The cluster DNS Service: podctl shows it while its DNS server runs, and ends it with the last pod that uses it. */
const isClusterDns = (resource: string, o: Ref) => resource === 'services' && o.namespace === 'kube-system' && o.name === 'kube-dns';

/** What `get RESOURCE -A` lists: records podctl keeps (and the ReplicaSets of standalone records only, once Deployments are gone). */
async function objectsOf(resource: string): Promise<Ref[]> {
  const list = JSON.parse((await podctlOk(['get', resource, '-A', '-o', 'json'])).stdout) as { items: Array<{ metadata: Ref }> };
  return list.items.map((o) => o.metadata).filter((o) => !isClusterDns(resource, o));
}

/**
 * The tests name their pods in many ways (pct-*, svc-*, per-process tags), so leftovers are
 * found as podctl finds its own: every pod `ps -a -A` lists (its containers carry podctl's
 * io.podctl.* labels) and every record and Service `get -A` lists, in every namespace. This
 * host is for the tests: nothing podctl made is kept.
 */
export async function cleanHost(): Promise<string[]> {
  const done: string[] = [];
  for (const resource of OBJECT_RESOURCES) {
    for (const o of await objectsOf(resource)) {
      const args = ['delete', resource, o.name, '--ignore-not-found', '--force', ...(o.namespace ? ['-n', o.namespace] : [])];
      const r = await podctl(args);
      done.push(`deleted ${resource} ${refText(o)} an earlier run left${r.exitCode === 0 ? '' : ` (delete: ${r.stderr.trim()})`}`);
    }
  }
  const pods = (JSON.parse((await podctlOk(['ps', '-a', '-A', '-o', 'json'])).stdout) as Ref[]).map(refText);
  if (pods.length > 0) {
    const rm = await podctl(['rm', '-f', ...pods]);
    done.push(`removed ${pods.length} pod(s) an earlier run left: ${pods.join(', ')}${rm.exitCode === 0 ? '' : ` (rm -f: ${rm.stderr.trim()})`}`);
  }
  const gc = JSON.parse((await podctlOk(['gc', '-o', 'json'])).stdout) as { actions: GcAction[] };
  for (const a of gc.actions) done.push(`gc: ${a.action} ${a.kind} ${a.target}: ${a.reason}${a.error ? ` (failed: ${a.error})` : ''}`);
  // The API address a serve killed with SIGKILL left published (a live serve's stays: nothing here stops one).
  const published = await readFile(API_ADDRESS_FILE, 'utf8').then((t) => JSON.parse(t) as { pid: number }, () => undefined);
  if (published && !existsSync(`/proc/${published.pid}`)) {
    await rm(API_ADDRESS_FILE, { force: true });
    done.push(`removed ${API_ADDRESS_FILE} of a serve that is gone (pid ${published.pid})`);
  }
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
