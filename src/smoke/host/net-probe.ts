import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { parseLinkDetails, parseQdiscs, type LinkDetails, type Qdisc } from './link-details.js';
import type { RunProgram } from '../../util/run-command.js';

export interface LinkAddresses {
  mac: string;
  /** `address/prefix` of every address on the link. */
  addresses: string[];
}

export interface KernelRoute {
  /** `default`, `10.0.0.0/24`, or a host address without prefix, as `ip -j route` prints. */
  dst: string;
  gateway?: string;
  dev?: string;
  /** Which table listing it came from (`default` alone does not say). */
  family?: 4 | 6;
}

/** An address and where IPv6 duplicate address detection (DAD) stands for it. */
export interface AddressState {
  address: string;
  /** DAD still running: the kernel neither sends from nor answers on it yet. */
  tentative: boolean;
  /** DAD found a duplicate: the address is unusable. */
  dadFailed: boolean;
}

interface IpAddrJson {
  ifname: string;
  address?: string;
  addr_info?: Array<{ local: string; prefixlen: number; tentative?: boolean; dadfailed?: boolean }>;
  linkinfo?: { info_kind?: string };
}

/**
 * Reads network state with `ip -j` (in a namespace with `ip -n NS`) and iptables, and pings
 * from inside a namespace. Everything is read-only except ping, which only ever targets
 * addresses the caller has checked belong to this test.
 */
export class NetProbe {
  constructor(private readonly run: RunProgram, private readonly pingCommand: string[]) {}

  /** The link's MAC and addresses in namespace `netns`; undefined when there is no such link. */
  async linkInNetns(netns: string, ifName: string): Promise<LinkAddresses | undefined> {
    const r = await this.run('ip', ['-n', netns, '-j', 'addr', 'show', 'dev', ifName]);
    if (r.exitCode !== 0) return undefined;
    const link = (JSON.parse(r.stdout || '[]') as IpAddrJson[])[0];
    if (!link) return undefined;
    return { mac: link.address ?? '', addresses: (link.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`) };
  }

  /** A routing table of `netns` (or of the host when netns is undefined; `main` by default), both families. */
  async routes(netns?: string, table = 'main'): Promise<KernelRoute[]> {
    const at = netns === undefined ? [] : ['-n', netns];
    const out: KernelRoute[] = [];
    for (const family of ['-4', '-6']) {
      const r = await this.run('ip', [...at, family, '-j', 'route', 'show', 'table', table]);
      if (r.exitCode !== 0) continue;
      for (const route of JSON.parse(r.stdout || '[]') as Array<{ dst: string; gateway?: string; dev?: string }>) {
        out.push({ dst: route.dst, ...(route.gateway && { gateway: route.gateway }), ...(route.dev && { dev: route.dev }), family: family === '-4' ? 4 : 6 });
      }
    }
    return out;
  }

  /** Every address in `netns` (the host when undefined) with its DAD state. */
  async addressStates(netns?: string): Promise<AddressState[]> {
    const r = await this.run('ip', [...(netns === undefined ? [] : ['-n', netns]), '-j', 'addr', 'show']);
    const links = r.exitCode === 0 ? (JSON.parse(r.stdout || '[]') as IpAddrJson[]) : [];
    return links.flatMap((l) => (l.addr_info ?? []).map((a) => ({ address: a.local, tentative: a.tentative === true, dadFailed: a.dadfailed === true })));
  }

  /** Every address assigned to a host interface (for "is the gateway ours to ping?"). */
  async hostAddresses(): Promise<Set<string>> {
    const r = await this.run('ip', ['-j', 'addr', 'show']);
    const links = r.exitCode === 0 ? (JSON.parse(r.stdout || '[]') as IpAddrJson[]) : [];
    return new Set(links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local)));
  }

  /** The kind of a host link (`veth`, `bridge`, `''` for a plain device); undefined when absent. */
  async hostLinkKind(name: string): Promise<string | undefined> {
    const r = await this.run('ip', ['-d', '-j', 'link', 'show', 'dev', name]);
    if (r.exitCode !== 0) return undefined;
    const link = (JSON.parse(r.stdout || '[]') as IpAddrJson[])[0];
    return link ? link.linkinfo?.info_kind ?? '' : undefined;
  }

  /** Names of the host links that exist now (for "which bridges did this run create?"). */
  async hostLinks(): Promise<Set<string>> {
    const r = await this.run('ip', ['-j', 'link', 'show']);
    const links = r.exitCode === 0 ? (JSON.parse(r.stdout || '[]') as IpAddrJson[]) : [];
    return new Set(links.map((l) => l.ifname));
  }

  /** iptables and ip6tables rules (nat and filter, as `-S` lines) whose text contains `needle`. */
  async iptablesRulesWith(needle: string): Promise<string[]> {
    const found: string[] = [];
    for (const command of ['iptables', 'ip6tables']) {
      for (const table of ['nat', 'filter']) {
        const r = await this.run(command, ['-w', '-t', table, '-S']);
        if (r.exitCode !== 0) continue;
        const where = command === 'iptables' ? table : `${command} ${table}`;
        found.push(...r.stdout.split('\n').filter((l) => l.includes(needle)).map((l) => `${where}: ${l}`));
      }
    }
    return found;
  }

  /** One echo request from inside `netns`; resolves to the error text, or undefined on a reply. */
  async ping(netns: string, ip: string): Promise<string | undefined> {
    const [file, ...args] = this.pingCommand;
    const r = await this.run('ip', ['netns', 'exec', netns, file!, ...args, '-c', '1', '-W', '1', ip], { timeoutMs: 5000 });
    if (r.exitCode === 0) return undefined;
    // ping prints its verdict ("1 packets transmitted, 0 packets received") on stdout.
    const summary = r.stdout.split('\n').find((l) => /packets transmitted/.test(l))?.trim();
    return (summary ?? (r.stderr.trim() || `exit ${r.exitCode}`)).slice(0, 300);
  }

  /** Links with their details (`ip -d -j link`): one, or every link when `name` is undefined. */
  async linkDetails(netns: string | undefined, name?: string): Promise<LinkDetails[]> {
    const r = await this.run('ip', [...(netns === undefined ? [] : ['-n', netns]), '-d', '-j', 'link', 'show', ...(name === undefined ? [] : ['dev', name])]);
    return r.exitCode === 0 ? parseLinkDetails(r.stdout) : [];
  }

  /** Sysctl values as the namespace sees them; a key that cannot be read is absent. */
  async sysctls(netns: string, keys: string[]): Promise<Map<string, string>> {
    const values = await this.filesInNetns(netns, keys.map((k) => `/proc/sys/${k.replace(/\./g, '/')}`));
    return new Map(keys.flatMap((k) => {
      const v = values.get(`/proc/sys/${k.replace(/\./g, '/')}`);
      return v === undefined ? [] : [[k, v] as [string, string]];
    }));
  }

  /** One-line files (/proc/sys, /sys/class/net) as `netns` sees them, in one `grep -H`; an unreadable file is absent. */
  async filesInNetns(netns: string, files: string[]): Promise<Map<string, string>> {
    const r = await this.run('ip', ['netns', 'exec', netns, 'grep', '-H', '', ...files]);
    const values = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const at = line.indexOf(':');
      if (at > 0 && files.includes(line.slice(0, at))) values.set(line.slice(0, at), line.slice(at + 1).trim());
    }
    return values;
  }

  /** `address/prefix` of every address on a host link (empty when it has none or is absent). */
  async hostLinkAddresses(name: string): Promise<string[]> {
    const r = await this.run('ip', ['-j', 'addr', 'show', 'dev', name]);
    const link = r.exitCode === 0 ? (JSON.parse(r.stdout || '[]') as IpAddrJson[])[0] : undefined;
    return (link?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
  }

  /** The VLAN ids a bridge port carries (`bridge -j vlan show`). */
  async bridgeVlans(port: string): Promise<number[]> {
    const r = await this.run('bridge', ['-j', 'vlan', 'show', 'dev', port]);
    if (r.exitCode !== 0) return [];
    const ports = JSON.parse(r.stdout || '[]') as Array<{ vlans?: Array<{ vlan: number }> }>;
    return ports.flatMap((p) => (p.vlans ?? []).map((v) => v.vlan));
  }

  /** The policy routing rules of `netns` (both families). */
  async rules(netns: string): Promise<Array<{ src?: string; table?: string }>> {
    const out: Array<{ src?: string; table?: string }> = [];
    for (const family of ['-4', '-6']) {
      const r = await this.run('ip', ['-n', netns, family, '-j', 'rule', 'show']);
      if (r.exitCode === 0) out.push(...(JSON.parse(r.stdout || '[]') as Array<{ src?: string; table?: string }>));
    }
    return out;
  }

  /** The routes of one table of `netns` (both families). */
  async routesOfTable(netns: string, table: string): Promise<KernelRoute[]> {
    const out: KernelRoute[] = [];
    for (const family of ['-4', '-6']) {
      const r = await this.run('ip', ['-n', netns, family, '-j', 'route', 'show', 'table', table]);
      if (r.exitCode === 0) out.push(...(JSON.parse(r.stdout || '[]') as KernelRoute[]));
    }
    return out;
  }

  /** The qdiscs of a host link. */
  async qdiscs(dev: string): Promise<Qdisc[]> {
    const r = await this.run('tc', ['-j', 'qdisc', 'show', 'dev', dev]);
    return r.exitCode === 0 ? parseQdiscs(r.stdout) : [];
  }

  /**
   * One echo request of `payload` data bytes from inside `netns`. The kernel sets "don't
   * fragment" on it (path MTU discovery, on by default in a new namespace; busybox's ping has no
   * `-M do`), so a packet larger than a link on the way is dropped, never split.
   */
  async pingSized(netns: string, ip: string, payload: number): Promise<string | undefined> {
    const [file, ...args] = this.pingCommand;
    const r = await this.run('ip', ['netns', 'exec', netns, file!, ...args, '-s', String(payload), '-c', '1', '-W', '1', ip], { timeoutMs: 5000 });
    if (r.exitCode === 0) return undefined;
    const summary = r.stdout.split('\n').find((l) => /packets transmitted/.test(l))?.trim();
    return (summary ?? (r.stderr.trim() || `exit ${r.exitCode}`)).slice(0, 300);
  }

  /** Whether forwarded packets are dropped unless a rule accepts them (Docker sets this). */
  async forwardPolicyDrops(): Promise<boolean> {
    const r = await this.run('iptables', ['-w', '-S', 'FORWARD']);
    return r.exitCode === 0 && /^-P FORWARD DROP/m.test(r.stdout);
  }
}

/** `ping` when installed, else busybox's applet (Debian's busybox-static has one). */
export async function findPingCommand(pathEnv = process.env.PATH ?? ''): Promise<string[]> {
  for (const dir of pathEnv.split(':').filter(Boolean)) {
    const candidate = join(dir, 'ping');
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return [candidate];
  }
  return ['busybox', 'ping'];
}
