import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * The leak checker every e2e test ends with. It snapshots the host before the test and
 * reports what the test left behind: podctl containers (dockerd's and podman's), /var/run/netns entries and pins,
 * host veths, host-local IP files, CNI cache files, pod checkpoints, iptables chains or
 * rules naming a container id, the firewall plugin's `CNI-FORWARD` rules for a pod address
 * (they name no container), the cluster DNS server, and the sysctls podctl may change
 * (SYSCTLS). CI runs tests one at a time, so a diff is exact there.
 */
const IPAM_DIRS = ['/var/lib/podctl/cni/networks', '/var/lib/cni/networks'];
// Object records (Deployments, ConfigMaps, Secrets, claims, ...) too.
// And the API's files: the address a running serve publishes (gone when it stops) and whatever
// else appears beside the credentials, which serve makes once and keeps by design (KEPT_FILES).
const STATE_DIRS = ['/var/lib/podctl/cni/cache', '/var/lib/podctl/pods', '/var/lib/podctl/objects', '/var/lib/podctl/api', '/run/podctl/api'];
// The object store's change log is kept by design too (bounded: two segments; watches resume from it).
const KEPT_FILES = new Set([...['ca.crt', 'ca.key', 'server.crt', 'server.key', 'token'].map((f) => `/var/lib/podctl/api/${f}`), '/var/lib/podctl/objects/changes.log', '/var/lib/podctl/objects/changes.1.log']);
const NETNS_DIR = '/var/run/netns';
// The sysctls podctl changes (src/service/sysctls.ts): br_netfilter's switch, and route_localnet
// of every interface (`default` is what a new interface starts with).
const BRIDGE_NF = 'net/bridge/bridge-nf-call-iptables';
const CONF_DIR = '/proc/sys/net/ipv4/conf';
// Chains portmap creates once per host and keeps, by design.
const SHARED_CHAINS = /^-N CNI-HOSTPORT-(DNAT|SNAT|MASQ|SETMARK)$|^-N CNI-FORWARD$|^-N CNI-ADMIN$/;
// The firewall plugin's per-address rules: `-A CNI-FORWARD -s 10.99.3.83/32 -j ACCEPT` and its `-d` twin.
const FIREWALL_ADDRESS_RULE = /^-A CNI-FORWARD .*-[sd] [0-9a-f.:]+\/(32|128) /;

export interface HostSnapshot {
  containers: Set<string>;
  netns: Set<string>;
  mounts: Set<string>;
  veths: Set<string>;
  files: Set<string>;
  iptables: Set<string>;
  /** `nft -s list ruleset`, per table ("table ip nat" -> its lines), without podctl's own table. */
  nftTables: Map<string, string[]>;
  /** Whether podctl's Service table (`table ip podctl`) exists. */
  podctlTable: boolean;
  /** Docker named volumes podctl made (PersistentVolumeClaims). */
  volumes: Set<string>;
  /** Whether podctl's cluster DNS server runs (it should stop with the last pod that used it). */
  dnsServer: boolean;
  /** Sysctl key (its /proc/sys path) -> value, for the keys podctl may change. */
  sysctls: Map<string, string>;
}

const DNS_PID_FILE = '/run/podctl/dns/server.pid';

async function dnsServerRuns(): Promise<boolean> {
  try {
    const { pid } = JSON.parse(await readFile(DNS_PID_FILE, 'utf8')) as { pid: number };
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('dns/main.');
  } catch {
    return false;
  }
}

async function sysctls(): Promise<Map<string, string>> {
  const keys = [BRIDGE_NF, ...(await readdir(CONF_DIR).catch(() => [] as string[])).map((iface) => `net/ipv4/conf/${iface}/route_localnet`)];
  const values = await Promise.all(keys.map((key) => readFile(`/proc/sys/${key}`, 'utf8').then((v) => v.trim(), () => undefined)));
  return new Map(keys.flatMap((key, i) => (values[i] === undefined ? [] : [[key, values[i]!] as [string, string]])));
}

// The tables iptables-nft keeps for Docker and the CNI plugins: their added rules are judged by
// the iptables part of the check (with its allowances); lines removed from them are a leak of
// another kind (someone flushed what is not theirs). Every other table must be byte-identical.
const IPTABLES_TABLES = /^table (ip|ip6) (nat|filter|mangle|raw|security)$/;
const PODCTL_TABLE = 'table ip podctl';

function nftTables(text: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const head = /^(table \S+ \S+) \{$/.exec(line);
    if (head) tables.set(head[1]!, (current = []));
    else if (current && line.trim() !== '' && line !== '}') current.push(line.trim());
  }
  return tables;
}

async function lines(file: string, args: string[]): Promise<string[]> {
  const r = await execa(file, args, { reject: false });
  return r.exitCode === 0 ? String(r.stdout).split('\n').filter(Boolean) : [];
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name !== 'lock' && !e.name.startsWith('last_reserved_ip') && !KEPT_FILES.has(p)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

export async function snapshotHost(): Promise<HostSnapshot> {
  const [dockerContainers, podmanContainers, netns, mountinfo, links, files, nat, filter, ruleset, volumes, dnsServer, sysctlValues] = await Promise.all([
    lines('docker', ['ps', '-a', '--filter', 'label=io.podctl.pod', '--format', '{{.Names}}']),
    // podman's containers, whether or not its API service runs (the CLI reads its storage).
    lines('podman', ['ps', '-a', '--filter', 'label=io.podctl.pod', '--format', '{{.Names}}']),
    readdir(NETNS_DIR).catch(() => [] as string[]),
    readFile('/proc/self/mountinfo', 'utf8').catch(() => ''),
    lines('ip', ['-o', 'link', 'show', 'type', 'veth']),
    Promise.all([...IPAM_DIRS, ...STATE_DIRS].map(filesUnder)).then((all) => all.flat()),
    lines('iptables', ['-w', '-t', 'nat', '-S']),
    lines('iptables', ['-w', '-t', 'filter', '-S']),
    lines('nft', ['-s', 'list', 'ruleset']),
    lines('docker', ['volume', 'ls', '-q', '--filter', 'label=io.podctl.pvc']),
    dnsServerRuns(),
    sysctls(),
  ]);
  const tables = nftTables(ruleset.join('\n'));
  const podctlTable = tables.delete(PODCTL_TABLE);
  const iptables = [...nat, ...filter].filter((l) => (l.startsWith('-N CNI-') && !SHARED_CHAINS.test(l)) || /\b[0-9a-f]{64}\b/.test(l) || /CNI-[0-9a-f]{20,}/.test(l) || FIREWALL_ADDRESS_RULE.test(l));
  return {
    containers: new Set([...dockerContainers, ...podmanContainers.map((name) => `${name} (podman)`)]),
    netns: new Set(netns),
    // Namespace pins, and the tmpfs of pods with secrets or memory volumes.
    mounts: new Set(mountinfo.split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith('/run/netns/') || m.startsWith('/var/run/netns/') || m.startsWith('/var/lib/podctl/'))),
    veths: new Set(links.map((l) => (l.split(': ')[1] ?? '').split('@')[0] ?? '')),
    files: new Set(files),
    iptables: new Set(iptables),
    nftTables: tables,
    podctlTable,
    volumes: new Set(volumes),
    dnsServer,
    sysctls: sysctlValues,
  };
}

export function diffSnapshots(before: HostSnapshot, after: HostSnapshot): string[] {
  const leaks: string[] = [];
  const added = (kind: string, a: Set<string>, b: Set<string>) => {
    for (const item of b) if (!a.has(item)) leaks.push(`${kind}: ${item}`);
  };
  added('container', before.containers, after.containers);
  added('netns', before.netns, after.netns);
  added('mount', before.mounts, after.mounts);
  added('veth', before.veths, after.veths);
  added('file', before.files, after.files);
  added('iptables', before.iptables, after.iptables);
  if (after.podctlTable && !before.podctlTable) leaks.push(`nft: ${PODCTL_TABLE} (Service rules) is still there`);
  for (const [table, lines] of before.nftTables) {
    const now = after.nftTables.get(table);
    if (!now) {
      leaks.push(`nft: ${table} was deleted`);
    } else if (IPTABLES_TABLES.test(table)) {
      for (const line of new Set(lines)) if (!now.includes(line)) leaks.push(`nft: ${table} lost: ${line}`);
    } else if (now.join('\n') !== lines.join('\n')) {
      leaks.push(`nft: ${table} changed`);
    }
  }
  for (const table of after.nftTables.keys()) if (!before.nftTables.has(table) && !IPTABLES_TABLES.test(table)) leaks.push(`nft: ${table} was added`);
  added('docker volume', before.volumes, after.volumes);
  if (after.dnsServer && !before.dnsServer) leaks.push(`process: the cluster DNS server (${DNS_PID_FILE}) still runs`);
  // A key of an interface made during the test is compared with what a new interface gets.
  const fresh = before.sysctls.get('net/ipv4/conf/default/route_localnet');
  for (const [key, value] of after.sysctls) {
    const was = before.sysctls.get(key) ?? (key.endsWith('/route_localnet') ? fresh : undefined);
    if (was !== undefined && was !== value) leaks.push(`sysctl: ${key} is ${value}, was ${was}`);
  }
  return leaks;
}

export class LeakChecker {
  private constructor(private readonly before: HostSnapshot) {}

  /** Takes the baseline; call at the start of a test (or in `before`). */
  static async start(): Promise<LeakChecker> {
    return new LeakChecker(await snapshotHost());
  }

  /** What is on the host now that was not there at the start. Waits briefly for the kernel. */
  async findLeaks(): Promise<string[]> {
    let leaks: string[] = [];
    // A namespace's veth goes when the kernel finishes tearing the namespace down, which is
    // asynchronous: give it a moment before calling anything a leak.
    for (let attempt = 0; attempt < 20; attempt++) {
      leaks = diffSnapshots(this.before, await snapshotHost());
      if (leaks.length === 0 || leaks.some((l) => !l.startsWith('veth:'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return leaks;
  }

  /** Throws listing every leak; the message is what a developer needs to find the cause. */
  async assertClean(): Promise<void> {
    const leaks = await this.findLeaks();
    if (leaks.length > 0) throw new Error(`the test left ${leaks.length} thing(s) on the host:\n  ${leaks.join('\n  ')}`);
  }
}

/** True when a path exists (for tests that check files the pod owns). */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
