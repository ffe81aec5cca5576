import type { Command } from 'commander';

/** `podctl serve`: a definition only; the action (and all of serve) loads when it runs. */
const actions = () => import('../actions/serve.js');

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description("keep the desired state in the foreground, as Kubernetes' controllers, kubelet and kube-proxy do: replace pods that die or go away, restart ended containers, keep Services' endpoints and rules current (until SIGTERM or Ctrl-C; the pods keep running)")
    .option('--listen <address:port>', 'where the Kubernetes API listens (HTTPS); an address other hosts reach only when you give one', '127.0.0.1:6443')
    .addHelpText('after', '\nOne serve per host. Logs go to stderr (--log-format json for one object per line).\nkubectl and client libraries reach the API with the kubeconfig `podctl kubeconfig` prints.\n\nExamples:\n  podctl serve\n  podctl serve --listen 127.0.0.1:7443\n  podctl --log-format json serve')
    .action(async (_o, cmd: Command) => (await actions()).serveAction(cmd));
  program
    .command('kubeconfig')
    .description("print a kubeconfig (cluster, user and context `podctl`) for the API the running `podctl serve` serves")
    .option('--merge', 'add it to the first file of $KUBECONFIG or ~/.kube/config instead, keeping the other contexts')
    .addHelpText('after', '\nExamples:\n  podctl kubeconfig > podctl.kubeconfig && kubectl --kubeconfig podctl.kubeconfig get pods\n  podctl kubeconfig --merge && kubectl --context podctl get deploy')
    .action(async (_o, cmd: Command) => (await actions()).kubeconfigAction(cmd));
}
