import { Option, type Command } from 'commander';
import { wholeNumber } from './collect.js';

const actions = () => import('../actions/trace.js');

/** `podctl trace FROM TO`: definitions only; the action loads ../actions/trace.js. */
export function registerTraceCommands(program: Command): void {
  program
    .command('trace')
    .description('follow a request through this host\'s network: route, veth, bridge, netfilter, destination pod and port, with one verdict')
    .argument('<from>', 'a pod ([NS/]NAME) or host')
    .argument('<to>', 'a pod ([NS/]NAME), svc/NAME (a Service), an IPv4 address, or host:PORT (a published port or NodePort of this host)')
    .option('-n, --namespace <ns>', 'namespace of pods named without NS/ (default: default)')
    .option('-p, --port <port>', 'destination port (default 80, or a service\'s first port; host:PORT sets its own)', wholeNumber('--port', { min: 1, max: 65535 }))
    .addOption(new Option('--protocol <proto>', 'transport protocol').choices(['tcp', 'udp']).default('tcp'))
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--live', 'also send one real probe along the path and show the rules it hit (nftables trace) and conntrack\'s NAT')
    .option('--save-snapshot <file>', 'write what was read from the host (routes, links, ruleset, pods) as JSON, for a bug report or a test fixture')
    .addHelpText('after', '\nExamples:\n  podctl trace web api -p 8080\n  podctl trace web svc/api\n  podctl trace host web\n  podctl trace web 10.99.0.1 -p 22\n  podctl trace web host:8080 --live\n  podctl trace host web -o json')
    .action(async (from: string, to: string, _o, cmd: Command) => (await actions()).traceAction(cmd, from, to));
}
