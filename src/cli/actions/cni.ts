/** The bodies of `podctl cni add|check|del|gc|status|version` and `podctl net ls|inspect`. */

import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CniRuntime, findPluginInDirs, loadNetworkFile, summarizeNetwork, type NetworkConfigList } from '../../cni/index.js';
import { versionAtLeast } from '../../cni/versions.js';
import { invalidArgument, isPodctlError } from '../../util/errors.js';
import { NETNS_DIR } from '../../netns/pins.js';
import { cniCacheDir, defaultCniConfDir, defaultCniPath, defaultStatePaths, lockDir } from '../../util/paths.js';
import { parseKeyValue, validateNetnsName } from '../../util/validate.js';
import { loggerFor, pluginTimeoutMs, requireRoot } from '../context.js';
import { parseOutputFormat, renderStructured, renderTable, write } from '../output.js';

export interface AttachmentOptions {
  containerId?: string;
  ifname: string;
  args?: string[];
  cap?: string[];
  /** Milliseconds (commander parsed the seconds). */
  timeout?: number;
  output?: string;
}

export async function attachmentAction(verb: 'add' | 'check' | 'del', network: string, netnsArg: string | undefined, opts: AttachmentOptions, cmd: Command): Promise<void> {
  requireRoot();
  const netns = netnsArg === undefined || netnsArg === '' ? '' : netnsArg.includes('/') ? netnsArg : join(NETNS_DIR, validateNetnsName(netnsArg));
  if (netns === '' && opts.containerId === undefined) throw invalidArgument(`cni ${verb} needs NETNS or --container-id`);
  const containerId = opts.containerId ?? derivedContainerId(netns);
  const rt = { containerId, netns, ifName: opts.ifname, args: parseArgs(opts.args ?? []), capabilityArgs: parseCaps(opts.cap ?? []) };
  const runtime = cniRuntimeFor(cmd, opts.timeout);
  const summary = { network, containerId, ifName: opts.ifname, netns };
  if (verb === 'add') return print(await runtime.addNetworkList(await resolveNetwork(runtime, network), rt), opts.output);
  if (verb === 'check') {
    const net = await resolveNetwork(runtime, network);
    await runtime.checkNetworkList(net, rt);
    return print({ ...summary, network: net.name, check: net.disableCheck ? 'skipped: the network sets disableCheck' : 'passed' }, opts.output);
  }
  const net = await resolveNetwork(runtime, network).catch((err: unknown) => {
    // DEL must work after the config file is gone or broken: the cache has what ADD used.
    if ((isPodctlError(err, 'NOT_FOUND') || isPodctlError(err, 'INVALID_CONFIG')) && !looksLikePath(network)) return undefined;
    throw err;
  });
  await runtime.delNetworkList(net, { ...rt, network: net?.name ?? network, args: opts.args ? rt.args : undefined, capabilityArgs: opts.cap ? rt.capabilityArgs : undefined });
  return print({ ...summary, network: net?.name ?? network, deleted: true }, opts.output);
}

export async function gcAction(network: string, opts: { valid?: string[]; all?: boolean; output?: string }, cmd: Command): Promise<void> {
  requireRoot();
  const runtime = cniRuntimeFor(cmd);
  const net = await resolveNetwork(runtime, network);
  const valid = (opts.valid ?? []).map((v) => {
    const slash = v.lastIndexOf('/');
    if (slash <= 0 || slash === v.length - 1) throw invalidArgument(`--valid ${v}: expected CONTAINER_ID/IFNAME`);
    return { containerId: v.slice(0, slash), ifName: v.slice(slash + 1) };
  });
  const cached = (await runtime.listCachedAttachments()).filter((a) => a.network === net.name);
  if (!opts.all) valid.push(...(await runtime.attachmentsWithLiveNetns(net.name)));
  await runtime.gcNetworkList(net, valid);
  const left = new Set((await runtime.listCachedAttachments()).filter((a) => a.network === net.name).map((a) => `${a.containerId}/${a.ifName}`));
  const all = cached.map((a) => `${a.containerId}/${a.ifName}`);
  return print({ network: net.name, kept: all.filter((a) => left.has(a)), removed: all.filter((a) => !left.has(a)) }, opts.output);
}

export async function statusAction(network: string, opts: { output?: string }, cmd: Command): Promise<void> {
  const runtime = cniRuntimeFor(cmd);
  const net = await resolveNetwork(runtime, network);
  await runtime.statusNetworkList(net);
  const asked = versionAtLeast(net.cniVersion, '1.1.0');
  return print({ network: net.name, cniVersion: net.cniVersion, status: asked ? 'ready' : 'assumed ready: STATUS needs cniVersion 1.1.0' }, opts.output);
}

export async function versionAction(plugin: string, opts: { output?: string }, cmd: Command): Promise<void> {
  const runtime = cniRuntimeFor(cmd);
  const path = await findPluginInDirs(plugin, runtime.cniPath);
  return print({ plugin, path, ...(await runtime.pluginVersion(plugin)) }, opts.output);
}

/** The CLI's runtime: podctl's own cache and lock dirs, the global conf dir and plugin path. */
export function cniRuntimeFor(cmd: Command, timeoutMs?: number): CniRuntime {
  const opts = cmd.optsWithGlobals() as { cniConfDir?: string; cniPath?: string };
  const state = defaultStatePaths();
  const timeout = timeoutMs ?? pluginTimeoutMs(cmd);
  return new CniRuntime({
    confDir: opts.cniConfDir ?? defaultCniConfDir(),
    cniPath: opts.cniPath ?? defaultCniPath(),
    cacheDir: cniCacheDir(state),
    lockDir: lockDir(state),
    logger: loggerFor(cmd),
    ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
  });
}

const looksLikePath = (network: string) => network.includes('/') || /\.(conf|conflist|json)$/.test(network);

/** A network by name from the conf dir, or straight from a config file (CI smoke tests). */
async function resolveNetwork(runtime: CniRuntime, network: string): Promise<NetworkConfigList> {
  if (!looksLikePath(network)) return runtime.getNetwork(network);
  return loadNetworkFile(resolve(network));
}

async function print(value: unknown, output: string | undefined): Promise<void> {
  write(await renderStructured(value, parseOutputFormat(output, ['json', 'yaml']) as 'json' | 'yaml'));
}

/** cnitool's convention: a container id derived from the namespace path, so add and del pair up. */
function derivedContainerId(netns: string): string {
  return `podctl-${createHash('sha512').update(netns).digest('hex').slice(0, 18)}`;
}

/** `--args K=V,K2=V2` (repeatable); the runtime checks the CNI_ARGS rules (no ';' or '='). */
const parseArgs = (values: string[]): Array<[string, string]> =>
  values.flatMap((value) => value.split(',')).filter((pair) => pair !== '').map((pair) => parseKeyValue(pair, 'CNI arg'));

function parseCaps(values: string[]): Record<string, unknown> {
  const caps: Record<string, unknown> = {};
  for (const [name, json] of values.map((value) => parseKeyValue(value, 'capability'))) {
    try {
      caps[name] = JSON.parse(json);
    } catch (err) {
      throw invalidArgument(`--cap ${name}: the value is not JSON (${(err as Error).message})`, `e.g. --cap 'portMappings=[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]'`);
    }
  }
  return caps;
}

/** `podctl net ls`: every network of the conf dir; files that do not load are warned about. */
export async function netListAction(opts: { output?: string; quiet?: boolean }, cmd: Command): Promise<void> {
  const scan = await cniRuntimeFor(cmd).scanNetworks();
  for (const problem of scan.problems) process.stderr.write(`podctl: warning: ${problem.error.message}\n`);
  const networks = scan.networks.map(summarizeNetwork);
  if (opts.quiet) return write(networks.map((n) => `${n.name}\n`).join(''));
  const format = parseOutputFormat(opts.output, ['table', 'json', 'yaml']);
  if (format !== 'table') return write(await renderStructured(networks, format as 'json' | 'yaml'));
  write(renderTable(
    ['NAME', 'VERSION', 'PLUGINS', 'SUBNETS', 'FILE'],
    networks.map((n) => [n.name, n.cniVersion, n.plugins.join(','), n.subnets.join(',') || '-', n.file ?? '']),
  ));
}

/** `podctl net inspect`: a network as podctl loaded it. */
export async function netInspectAction(name: string, opts: { output?: string }, cmd: Command): Promise<void> {
  const { bytes: _source, ...network } = await cniRuntimeFor(cmd).getNetwork(name);
  await print(network, opts.output);
}
