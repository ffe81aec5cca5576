import type { Command } from 'commander';
import { registerCniTestCommand } from './cni-test.js';
import { collect } from './collect.js';

/**
 * `podctl cni ...`: cnitool's verbs over podctl's CNI runtime. Definitions only at start-up;
 * each action loads the runtime when it runs.
 */

interface AttachmentOptions {
  containerId?: string;
  ifname: string;
  args?: string[];
  cap?: string[];
  timeout?: string;
  output?: string;
}

export function registerCniCommands(program: Command): void {
  const cni = program
    .command('cni')
    .description('run CNI plugins on a network namespace, the way a container runtime does (like cnitool)')
    .addHelpText('after', `
NETWORK is a network name from the conf dir (--cni-conf-dir) or a path to a .conf/.conflist file.
NETNS is a namespace path, or a name under /var/run/netns (ip netns add NAME).

Examples:
  ip netns add demo
  podctl cni add podctl demo
  podctl cni check podctl demo
  podctl cni del podctl demo
  podctl cni version bridge`);

  attachmentCommand(cni, 'add', 'ADD the namespace to a network; prints the CNI result as JSON')
    .addHelpText('after', `
Examples:
  podctl cni add podctl /var/run/netns/demo
  podctl cni add ./00-demo.conf demo --ifname eth10 --container-id demo
  podctl cni add podctl demo --args K8S_POD_NAME=web,K8S_POD_NAMESPACE=default \\
      --cap 'portMappings=[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]'`)
    .action(async (network: string, netns: string, opts: AttachmentOptions, cmd: Command) => attachmentAction('add', network, netns, opts, cmd));

  attachmentCommand(cni, 'check', 'CHECK an attachment against the result of its ADD (cniVersion 0.4.0+)')
    .addHelpText('after', '\nExample:\n  podctl cni check podctl demo')
    .action(async (network: string, netns: string, opts: AttachmentOptions, cmd: Command) => attachmentAction('check', network, netns, opts, cmd));

  attachmentCommand(cni, 'del', 'DEL an attachment, replaying its cached ADD (config, args, capabilities, result)', true)
    .addHelpText('after', `
Without NETNS (the namespace is gone) --container-id is required; plugins get an empty CNI_NETNS.

Examples:
  podctl cni del podctl demo
  podctl cni del podctl --container-id podctl-3f2a9c1b0d4e5f6a7b`)
    .action(async (network: string, netns: string | undefined, opts: AttachmentOptions, cmd: Command) => attachmentAction('del', network, netns, opts, cmd));

  cni
    .command('gc')
    .description('DEL cached attachments of a network that are no longer valid, then GC (cniVersion 1.1.0+)')
    .argument('<network>', 'network name or config file')
    .option('--valid <containerId/ifname>', 'an attachment to keep (repeatable)', collect)
    .option('--all', 'treat every cached attachment not named by --valid as stale, even when its namespace still exists')
    .option('-o, --output <format>', 'json or yaml', 'json')
    .addHelpText('after', `
By default attachments whose namespace still exists are kept too.

Examples:
  podctl cni gc podctl
  podctl cni gc podctl --all --valid podctl-3f2a9c1b0d4e5f6a7b/eth0`)
    .action(async (network: string, opts: { valid?: string[]; all?: boolean; output?: string }, cmd: Command) => gcAction(network, opts, cmd));

  cni
    .command('status')
    .description('ask each plugin of a network whether it is ready for ADD (STATUS, cniVersion 1.1.0+)')
    .argument('<network>', 'network name or config file')
    .option('-o, --output <format>', 'json or yaml', 'json')
    .addHelpText('after', '\nExample:\n  podctl cni status podctl')
    .action(async (network: string, opts: { output?: string }, cmd: Command) => statusAction(network, opts, cmd));

  cni
    .command('version')
    .description('ask a plugin which CNI spec versions it supports (VERSION)')
    .argument('<plugin>', 'plugin name, looked up in the CNI path')
    .option('-o, --output <format>', 'json or yaml', 'json')
    .addHelpText('after', '\nExamples:\n  podctl cni version bridge\n  podctl --cni-path /opt/cni/bin cni version portmap')
    .action(async (plugin: string, opts: { output?: string }, cmd: Command) => versionAction(plugin, opts, cmd));
  registerCniTestCommand(cni);
}

function attachmentCommand(parent: Command, name: string, description: string, netnsOptional = false): Command {
  return parent
    .command(name)
    .description(description)
    .argument('<network>', 'network name or config file')
    .argument(netnsOptional ? '[netns]' : '<netns>', 'namespace path or /var/run/netns name')
    .option('--container-id <id>', 'CNI_CONTAINERID (default: derived from the namespace path)')
    .option('--ifname <name>', 'CNI_IFNAME, the interface inside the namespace', 'eth0')
    .option('--args <K=V,...>', 'CNI_ARGS pairs (repeatable; IgnoreUnknown=1 is always sent)', collect)
    .option('--cap <NAME=JSON>', 'a capability argument, e.g. portMappings=[...] (repeatable)', collect)
    .option('--timeout <seconds>', 'kill a plugin that runs longer than this (default: the global --plugin-timeout, else 60)')
    .option('-o, --output <format>', 'json or yaml', 'json');
}

async function attachmentAction(verb: 'add' | 'check' | 'del', network: string, netnsArg: string | undefined, opts: AttachmentOptions, cmd: Command): Promise<void> {
  const { requireRoot } = await import('../context.js');
  requireRoot();
  const [{ invalidArgument }, { parseKeyValue, validateNetnsName }] = await Promise.all([import('../../util/errors.js'), import('../../util/validate.js')]);
  const netns = netnsArg === undefined || netnsArg === '' ? '' : netnsArg.includes('/') ? netnsArg : `/var/run/netns/${validateNetnsName(netnsArg)}`;
  if (netns === '' && opts.containerId === undefined) throw invalidArgument(`cni ${verb} needs NETNS or --container-id`);
  const containerId = opts.containerId ?? (await derivedContainerId(netns));
  const rt = { containerId, netns, ifName: opts.ifname, args: parseArgs(opts.args ?? [], parseKeyValue), capabilityArgs: parseCaps(opts.cap ?? [], parseKeyValue, invalidArgument) };
  const runtime = await cniRuntimeFor(cmd, seconds(opts.timeout, invalidArgument));
  const summary = { network, containerId, ifName: opts.ifname, netns };
  if (verb === 'add') return print(await runtime.addNetworkList(await resolveNetwork(runtime, network), rt), opts.output);
  if (verb === 'check') {
    const net = await resolveNetwork(runtime, network);
    await runtime.checkNetworkList(net, rt);
    return print({ ...summary, network: net.name, check: net.disableCheck ? 'skipped: the network sets disableCheck' : 'passed' }, opts.output);
  }
  const { isPodctlError } = await import('../../util/errors.js');
  const net = await resolveNetwork(runtime, network).catch((err: unknown) => {
    // DEL must work after the config file is gone or broken: the cache has what ADD used.
    if ((isPodctlError(err, 'NOT_FOUND') || isPodctlError(err, 'INVALID_CONFIG')) && !looksLikePath(network)) return undefined;
    throw err;
  });
  await runtime.delNetworkList(net, { ...rt, network: net?.name ?? network, args: opts.args ? rt.args : undefined, capabilityArgs: opts.cap ? rt.capabilityArgs : undefined });
  return print({ ...summary, network: net?.name ?? network, deleted: true }, opts.output);
}

async function gcAction(network: string, opts: { valid?: string[]; all?: boolean; output?: string }, cmd: Command): Promise<void> {
  const { requireRoot } = await import('../context.js');
  requireRoot();
  const { invalidArgument } = await import('../../util/errors.js');
  const { stat } = await import('node:fs/promises');
  const runtime = await cniRuntimeFor(cmd);
  const net = await resolveNetwork(runtime, network);
  const valid = (opts.valid ?? []).map((v) => {
    const slash = v.lastIndexOf('/');
    if (slash <= 0 || slash === v.length - 1) throw invalidArgument(`--valid ${v}: expected CONTAINER_ID/IFNAME`);
    return { containerId: v.slice(0, slash), ifName: v.slice(slash + 1) };
  });
  const cached = (await runtime.listCachedAttachments()).filter((a) => a.network === net.name);
  if (!opts.all) {
    for (const a of cached) {
      const alive = a.netns !== '' && (await stat(a.netns).then(() => true, () => false));
      if (alive) valid.push({ containerId: a.containerId, ifName: a.ifName });
    }
  }
  await runtime.gcNetworkList(net, valid);
  const left = new Set((await runtime.listCachedAttachments()).filter((a) => a.network === net.name).map((a) => `${a.containerId}/${a.ifName}`));
  const all = cached.map((a) => `${a.containerId}/${a.ifName}`);
  return print({ network: net.name, kept: all.filter((a) => left.has(a)), removed: all.filter((a) => !left.has(a)) }, opts.output);
}

async function statusAction(network: string, opts: { output?: string }, cmd: Command): Promise<void> {
  const runtime = await cniRuntimeFor(cmd);
  const net = await resolveNetwork(runtime, network);
  await runtime.statusNetworkList(net);
  const { versionAtLeast } = await import('../../cni/versions.js');
  const asked = versionAtLeast(net.cniVersion, '1.1.0');
  return print({ network: net.name, cniVersion: net.cniVersion, status: asked ? 'ready' : 'assumed ready: STATUS needs cniVersion 1.1.0' }, opts.output);
}

async function versionAction(plugin: string, opts: { output?: string }, cmd: Command): Promise<void> {
  const runtime = await cniRuntimeFor(cmd);
  const { findPluginInDirs } = await import('../../cni/index.js');
  const path = await findPluginInDirs(plugin, runtime.cniPath);
  return print({ plugin, path, ...(await runtime.pluginVersion(plugin)) }, opts.output);
}

/** The CLI's runtime: podctl's own cache and lock dirs, the global conf dir and plugin path. */
export async function cniRuntimeFor(cmd: Command, timeoutMs?: number) {
  const [{ CniRuntime }, paths, { loggerFor, pluginTimeoutMs }, { join }] = await Promise.all([
    import('../../cni/index.js'), import('../../util/paths.js'), import('../context.js'), import('node:path'),
  ]);
  const opts = cmd.optsWithGlobals() as { cniConfDir?: string; cniPath?: string };
  const state = paths.defaultStatePaths();
  return new CniRuntime({
    confDir: opts.cniConfDir ?? paths.defaultCniConfDir(),
    cniPath: opts.cniPath ?? paths.defaultCniPath(),
    cacheDir: join(state.stateDir, 'cni', 'cache'),
    lockDir: join(state.runDir, 'locks'),
    logger: loggerFor(cmd),
    ...((timeoutMs ?? pluginTimeoutMs(cmd)) !== undefined && { timeoutMs: timeoutMs ?? pluginTimeoutMs(cmd) }),
  });
}

type CliRuntime = Awaited<ReturnType<typeof cniRuntimeFor>>;

const looksLikePath = (network: string) => network.includes('/') || /\.(conf|conflist|json)$/.test(network);

/** A network by name from the conf dir, or straight from a config file (CI smoke tests). */
export async function resolveNetwork(runtime: CliRuntime, network: string) {
  if (!looksLikePath(network)) return runtime.getNetwork(network);
  const [{ loadNetworkFile }, { resolve }] = await Promise.all([import('../../cni/index.js'), import('node:path')]);
  return loadNetworkFile(resolve(network));
}

export async function print(value: unknown, output: string | undefined): Promise<void> {
  const { parseOutputFormat, renderStructured, write } = await import('../output.js');
  write(await renderStructured(value, parseOutputFormat(output, ['json', 'yaml']) as 'json' | 'yaml'));
}

/** cnitool's convention: a container id derived from the namespace path, so add and del pair up. */
async function derivedContainerId(netns: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return `podctl-${createHash('sha512').update(netns).digest('hex').slice(0, 18)}`;
}

type InvalidArgument = (message: string, hint?: string) => Error;
type ParseKeyValue = (text: string, what: string) => [string, string];

/** `--args K=V,K2=V2` (repeatable); the runtime checks the CNI_ARGS rules (no ';' or '='). */
const parseArgs = (values: string[], parseKeyValue: ParseKeyValue): Array<[string, string]> =>
  values.flatMap((value) => value.split(',')).filter((pair) => pair !== '').map((pair) => parseKeyValue(pair, 'CNI arg'));

function parseCaps(values: string[], parseKeyValue: ParseKeyValue, invalid: InvalidArgument): Record<string, unknown> {
  const caps: Record<string, unknown> = {};
  for (const [name, json] of values.map((value) => parseKeyValue(value, 'capability'))) {
    try {
      caps[name] = JSON.parse(json);
    } catch (err) {
      throw invalid(`--cap ${name}: the value is not JSON (${(err as Error).message})`, `e.g. --cap 'portMappings=[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]'`);
    }
  }
  return caps;
}

function seconds(value: string | undefined, invalid: InvalidArgument): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw invalid(`--timeout ${value}: expected a number of seconds`);
  return Math.round(n * 1000);
}
