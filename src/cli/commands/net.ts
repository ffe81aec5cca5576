import type { Command } from 'commander';

/** `podctl net ls|inspect|graph`: the CNI networks of the conf dir, and the host's pod network drawn. Definitions only: the actions live in ../actions/. */

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

  net
    .command('graph')
    .description("draw the host's pod network: bridges, veth pairs, pods with IPs and containers, host ports")
    .option('-n, --namespace <ns>', 'pods of this namespace (default: default)')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .option('-o, --output <format>', 'text (a tree), dot (Graphviz source) or svg (laid out by Graphviz)', 'text')
    .addHelpText('after', '\nExamples:\n  podctl net graph -A\n  podctl net graph -o svg > pods.svg\n  podctl net graph -o dot | dot -Tpng > pods.png')
    .action(async (opts: { namespace?: string; allNamespaces?: boolean; output?: string }, cmd: Command) => (await import('../actions/net-graph.js')).netGraphAction(cmd, opts));
}
