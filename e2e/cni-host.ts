import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CniRuntime } from '../src/cni/index.js';
import { runCommand } from '../src/util/run-command.js';
import { exists } from './harness/leaks.js';

export { exists };

/**
 * Host helpers for the CNI integration tests: namespaces from `ip netns add`, private temp
 * dirs for cache and IPAM, and the probes that verify (and prove clean) what plugins did.
 * Every name carries a random suffix so runs never touch anything they did not create.
 */
export const CNI_BIN = '/usr/lib/cni';

export const uniq = (): string => randomBytes(3).toString('hex');

export const run = async (file: string, args: string[]): Promise<string> => (await runCommand(file, args)).stdout;

export const tryRun = (file: string, args: string[]): Promise<boolean> => runCommand(file, args).then(() => true, () => false);

export interface CniTestEnv {
  id: string;
  netns: string;
  netnsPath: string;
  bridge: string;
  root: string;
  dataDir: string;
  cacheDir: string;
  runtime: CniRuntime;
  /** Undo everything (idempotent), then list what is still there: [] means clean. */
  cleanup(): Promise<void>;
  leftovers(containerIds: string[]): Promise<string[]>;
}

export async function createCniTestEnv(): Promise<CniTestEnv> {
  const id = uniq();
  const netns = `pct-cni-${id}`;
  const bridge = `pctcni${id}`;
  const root = await mkdtemp(join(tmpdir(), `pct-cni-e2e-${id}-`));
  const dataDir = join(root, 'networks');
  const cacheDir = join(root, 'cache');
  await run('ip', ['netns', 'add', netns]);
  const runtime = new CniRuntime({ confDir: join(root, 'net.d'), cniPath: CNI_BIN, cacheDir, lockDir: join(root, 'locks'), timeoutMs: 30_000 });
  const cleanup = async () => {
    await tryRun('ip', ['netns', 'del', netns]);
    await tryRun('ip', ['link', 'del', bridge]);
    await rm(root, { recursive: true, force: true });
  };
  const leftovers = async (containerIds: string[]) => {
    const left: string[] = [];
    if ((await readdir('/var/run/netns').catch(() => [] as string[])).includes(netns)) left.push(`netns ${netns}`);
    if (await tryRun('ip', ['link', 'show', bridge])) left.push(`bridge ${bridge}`);
    if (await exists(root)) left.push(`dir ${root}`);
    const rules = await iptablesRules();
    for (const cid of containerIds) {
      for (const line of rules.filter((l) => l.includes(cid))) left.push(`iptables: ${line}`);
    }
    return left;
  };
  return { id, netns, netnsPath: `/var/run/netns/${netns}`, bridge, root, dataDir, cacheDir, runtime, cleanup, leftovers };
}

/** Every rule and chain of the nat and filter tables (iptables -S). */
export async function iptablesRules(): Promise<string[]> {
  const tables = await Promise.all(['nat', 'filter'].map((t) => run('iptables', ['-w', '-t', t, '-S'])));
  return tables.join('\n').split('\n').filter(Boolean);
}

/** `ip route` inside a namespace, one line per route, trailing spaces trimmed. */
export async function routesIn(netns: string): Promise<string[]> {
  return (await run('ip', ['-n', netns, 'route'])).split('\n').map((l) => l.trim()).filter(Boolean);
}

export async function addressesIn(netns: string, ifName: string): Promise<string[]> {
  const info = JSON.parse(await run('ip', ['-n', netns, '-j', 'addr', 'show', 'dev', ifName])) as Array<{ addr_info: Array<{ family: string; local: string; prefixlen: number }> }>;
  return info.flatMap((i) => i.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`));
}

/** Names of the links enslaved to a bridge. */
export async function bridgePorts(bridge: string): Promise<string[]> {
  const out = await run('ip', ['-j', 'link', 'show', 'master', bridge]).catch(() => '');
  return out.trim() === '' ? [] : (JSON.parse(out) as Array<{ ifname: string }>).map((l) => l.ifname);
}
