import type { Command } from 'commander';

/** `podctl serve`: a definition only; the action (and all of serve) loads when it runs. */
const actions = () => import('../actions/serve.js');

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description("keep the desired state in the foreground, as Kubernetes' controllers, kubelet and kube-proxy do: replace pods that die or go away, restart ended containers, keep Services' endpoints and rules current (until SIGTERM or Ctrl-C; the pods keep running)")
    .addHelpText('after', '\nOne serve per host. Logs go to stderr (--log-format json for one object per line).\n\nExamples:\n  podctl serve\n  podctl --log-format json serve')
    .action(async (_o, cmd: Command) => (await actions()).serveAction(cmd));
}
