import type { Command } from 'commander';
import type { AttachmentOptions } from '../actions/cni.js';
import { registerCniTestCommand } from './cni-test.js';
import { collect, secondsAsMs } from './collect.js';

/**
 * `podctl cni ...`: cnitool's verbs over podctl's CNI runtime. Definitions only: each action
 * loads ../actions/cni.js (and with it the runtime) when it runs.
 */

const actions = () => import('../actions/cni.js');

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
    .action(async (network: string, netns: string, opts: AttachmentOptions, cmd: Command) => (await actions()).attachmentAction('add', network, netns, opts, cmd));

  attachmentCommand(cni, 'check', 'CHECK an attachment against the result of its ADD (cniVersion 0.4.0+)')
    .addHelpText('after', '\nExample:\n  podctl cni check podctl demo')
    .action(async (network: string, netns: string, opts: AttachmentOptions, cmd: Command) => (await actions()).attachmentAction('check', network, netns, opts, cmd));

  attachmentCommand(cni, 'del', 'DEL an attachment, replaying its cached ADD (config, args, capabilities, result)', true)
    .addHelpText('after', `
Without NETNS (the namespace is gone) --container-id is required; plugins get an empty CNI_NETNS.

Examples:
  podctl cni del podctl demo
  podctl cni del podctl --container-id podctl-3f2a9c1b0d4e5f6a7b`)
    .action(async (network: string, netns: string | undefined, opts: AttachmentOptions, cmd: Command) => (await actions()).attachmentAction('del', network, netns, opts, cmd));

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
    .action(async (network: string, opts: { valid?: string[]; all?: boolean; output?: string }, cmd: Command) => (await actions()).gcAction(network, opts, cmd));

  cni
    .command('status')
    .description('ask each plugin of a network whether it is ready for ADD (STATUS, cniVersion 1.1.0+)')
    .argument('<network>', 'network name or config file')
    .option('-o, --output <format>', 'json or yaml', 'json')
    .addHelpText('after', '\nExample:\n  podctl cni status podctl')
    .action(async (network: string, opts: { output?: string }, cmd: Command) => (await actions()).statusAction(network, opts, cmd));

  cni
    .command('version')
    .description('ask a plugin which CNI spec versions it supports (VERSION)')
    .argument('<plugin>', 'plugin name, looked up in the CNI path')
    .option('-o, --output <format>', 'json or yaml', 'json')
    .addHelpText('after', '\nExamples:\n  podctl cni version bridge\n  podctl --cni-path /opt/cni/bin cni version portmap')
    .action(async (plugin: string, opts: { output?: string }, cmd: Command) => (await actions()).versionAction(plugin, opts, cmd));
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
    .option('--timeout <seconds>', 'kill a plugin that runs longer than this (default: the global --plugin-timeout, else 60)', secondsAsMs('--timeout'))
    .option('-o, --output <format>', 'json or yaml', 'json');
}
