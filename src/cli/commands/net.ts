import type { Command } from 'commander';
import { cniRuntimeFor, print } from './cni.js';

/** `podctl net ls|inspect`: the CNI networks of the conf dir. */
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
    .action(async (opts: { output?: string; quiet?: boolean }, cmd: Command) => {
      const [{ summarizeNetwork }, output] = await Promise.all([import('../../cni/index.js'), import('../output.js')]);
      const scan = await (await cniRuntimeFor(cmd)).scanNetworks();
      for (const problem of scan.problems) process.stderr.write(`podctl: warning: ${problem.error.message}\n`);
      const networks = scan.networks.map(summarizeNetwork);
      if (opts.quiet) return output.write(networks.map((n) => `${n.name}\n`).join(''));
      const format = output.parseOutputFormat(opts.output, ['table', 'json', 'yaml']);
      if (format !== 'table') return output.write(await output.renderStructured(networks, format as 'json' | 'yaml'));
      output.write(output.renderTable(
        ['NAME', 'VERSION', 'PLUGINS', 'SUBNETS', 'FILE'],
        networks.map((n) => [n.name, n.cniVersion, n.plugins.join(','), n.subnets.join(',') || '-', n.file ?? '']),
      ));
    });

  net
    .command('inspect')
    .description('print a network as podctl loaded it (chosen cniVersion, plugins, flags)')
    .argument('<name>', 'network name')
    .option('-o, --output <format>', 'json or yaml', 'json')
    .addHelpText('after', '\nExamples:\n  podctl net inspect podctl\n  podctl net inspect podctl -o yaml')
    .action(async (name: string, opts: { output?: string }, cmd: Command) => {
      const { bytes: _source, ...network } = await (await cniRuntimeFor(cmd)).getNetwork(name);
      await print(network, opts.output);
    });

  net
    .command('graph')
    .description("draw the host's pod network: bridges, veth pairs, pods with IPs and containers, host ports")
    .option('-n, --namespace <ns>', 'pods of this namespace (default: default)')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .option('-o, --output <format>', 'text (a tree), dot (Graphviz source) or svg (laid out by Graphviz)', 'text')
    .addHelpText('after', '\nExamples:\n  podctl net graph -A\n  podctl net graph -o svg > pods.svg\n  podctl net graph -o dot | dot -Tpng > pods.png')
    .action(async (opts: { namespace?: string; allNamespaces?: boolean; output?: string }, cmd: Command) => (await import('../actions/net-graph.js')).netGraphAction(cmd, opts));
}
