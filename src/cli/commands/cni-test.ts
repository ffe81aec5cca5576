import { Option, type Command } from 'commander';
import { collect, wholeNumber } from './collect.js';

/** `podctl cni test`: definitions only; the action loads ../actions/cni-test.js when it runs. */

export function registerCniTestCommand(cni: Command): void {
  cni
    .command('test')
    .description('prove CNI network configs wire pods: static checks, then ADD/CHECK/DEL on throwaway pods with connectivity and leak checks')
    .argument('[config...]', 'config files or directories (default: the CNI conf dir)')
    .option('--network <name>', 'only this network (repeatable)', collect)
    .option('--pods <n>', 'throwaway pods per network', wholeNumber('--pods', { max: 16 }), 2)
    .option('--junit <file>', 'also write a JUnit XML report here')
    .addOption(new Option('-o, --output <format>', 'output on stdout').choices(['text', 'json']).default('text'))
    .option('--timeout <seconds>', 'deadline of the whole run (default 300)', wholeNumber('--timeout', { max: 86_400 }), 300)
    .option('--keep', 'leave the pods wired for debugging; prints how to enter and remove them')
    .addOption(new Option('--engine <engine>', 'throwaway pods from Docker pause containers or bare namespaces (default: docker when an engine answers)').choices(['docker', 'netns']))
    .option('--cleanup', 'remove what an earlier --keep left (CNI DEL, pause containers, namespaces) and exit')
    .addHelpText('after', [
      '',
      'Exit status: 0 every check passed, 1 a check failed, 2 bad usage.',
      '',
      'Examples:',
      '  podctl cni test                                  # the CNI conf dir, default engine',
      '  podctl cni test cni-conf/ --junit report.xml     # CI: JUnit for the test report',
      '  podctl cni test my.conflist --engine netns -o json',
      '  podctl cni test cni-conf/ --network podctl --keep && podctl cni test --cleanup',
    ].join('\n'))
    .action(async (configs: string[], _o, cmd: Command) => (await import('../actions/cni-test.js')).cniTestAction(cmd, configs));
}
