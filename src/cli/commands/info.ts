import type { Command } from 'commander';

/** `podctl info`: what podctl runs on. Definition only: ../actions/info.js loads when it runs. */
export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('show the engine podctl talks to (DOCKER_HOST), the CNI conf dir and plugins with their versions, and nft')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .addHelpText('after', '\nExamples:\n  podctl info\n  DOCKER_HOST=unix:///run/podman/podman.sock podctl info -o json')
    .action(async (opts: { output?: string }, cmd: Command) => (await import('../actions/info.js')).infoAction(cmd, opts.output));
}
