import type { Command } from 'commander';

/** `podctl net ls|inspect`: the CNI networks of the conf dir. Definitions only: the actions live in ../actions/cni.js. */

const actions = () => import('../actions/cni.js');

export function registerNetCommands(program: Command): void {
  const net = program
    .command('net')
    .description('list and inspect the CNI networks of the conf dir (--cni-conf-dir)')
    .addHelpText('after', '\nExamples:\n  podctl net ls\n  podctl net inspect podctl');

  net
    .command('ls')
    .alias('list')
    .description('list networks: name, file, cniVersion, plugins, subnets (invalid files are reported on stderr)')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .option('-q, --quiet', 'print only the network names')
    .addHelpText('after', '\nExamples:\n  podctl net ls\n  podctl --cni-conf-dir /etc/cni/net.d net ls -o json')
    .action(async (opts: { output?: string; quiet?: boolean }, cmd: Command) => (await actions()).netListAction(opts, cmd));

  net
    .command('inspect')
    .description('print a network as podctl loaded it (chosen cniVersion, plugins, flags)')
    .argument('<name>', 'network name')
    .option('-o, --output <format>', 'json or yaml', 'json')
    .addHelpText('after', '\nExamples:\n  podctl net inspect podctl\n  podctl net inspect podctl -o yaml')
    .action(async (name: string, opts: { output?: string }, cmd: Command) => (await actions()).netInspectAction(name, opts, cmd));
}
