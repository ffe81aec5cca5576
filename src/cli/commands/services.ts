import type { Command } from 'commander';

/** Services: `expose` and `describe` (get svc/endpoints and apply -f share the kube commands). */
const actions = () => import('../actions/services.js');

export function registerServiceCommands(program: Command): void {
  program
    .command('expose')
    .description('make a Service that selects a pod by its labels (ClusterIP, or NodePort on 127.0.0.1 and the bridge)')
    .argument('<resource>', 'pod')
    .argument('<name>', 'the pod to expose')
    .requiredOption('--port <port>', 'the service port')
    .option('--target-port <port|name>', "the pod's port, a number or a container port name (default: --port)")
    .option('--type <type>', 'ClusterIP (default) or NodePort')
    .option('--node-port <port>', 'the NodePort, 30000-32767 (default: a free one)')
    .option('--protocol <proto>', 'TCP (default) or UDP')
    .option('--name <name>', 'service name (default: the pod name)')
    .option('--cluster-ip <ip>', 'an address of the service range, or None for a headless service')
    .option('-n, --namespace <ns>', 'namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl expose pod web --port 80 --target-port 8080\n  podctl expose pod web --port 80 --type NodePort')
    .action(async (resource: string, name: string, _o, cmd: Command) => (await actions()).exposeAction(cmd, resource, name));

  program
    .command('describe')
    .description('show a service: addresses, ports and endpoints')
    .argument('<resource>', 'svc')
    .argument('<name>', 'service name')
    .option('-n, --namespace <ns>', 'namespace (default: default)')
    .action(async (resource: string, name: string, _o, cmd: Command) => (await actions()).describeAction(cmd, resource, name));

  program
    .command('watch')
    .description("keep Services current in the foreground: follow Docker's events, update endpoints when a pod's container dies or comes back")
    .action(async (_o, cmd: Command) => (await actions()).watchAction(cmd));
}
