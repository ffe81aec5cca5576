import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { reportError } from './errors.js';
import { exitQuietlyWhenOutputCloses } from './output.js';
import { registerPodCommands } from './commands/pods.js';
import { packageRoot } from '../util/paths.js';
import { registerCniCommands } from './commands/cni.js';
import { registerNetCommands } from './commands/net.js';
import { registerKubeCommands } from './commands/kube.js';
import { registerTraceCommands } from './commands/trace.js';
import { registerServiceCommands } from './commands/services.js';
import { registerServeCommands } from './commands/serve.js';
import { registerInfoCommand } from './commands/info.js';
import { wholeNumber } from './commands/collect.js';

/**
 * Builds the command tree. Only commander and the command definitions load here; each
 * action imports what it needs when it runs, so `podctl --version` stays close to bare node.
 */
export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const program = new Command('podctl')
    .description('Kubernetes-style pods on a plain Docker engine, wired by real CNI plugins')
    .version(pkg.version, '--version', 'print the podctl version')
    .option('--cni-conf-dir <dir>', 'directory of CNI network configs (default: $PODCTL_CNI_CONF_DIR, /etc/podctl/cni/net.d, or the shipped cni-conf/)')
    .option('--cni-path <dirs>', 'colon-separated plugin directories (default: $CNI_PATH or /opt/cni/bin:/usr/lib/cni)')
    .option('--plugin-timeout <seconds>', 'kill a CNI plugin that has not answered after this long (default 60)', wholeNumber('--plugin-timeout', { max: 3600 }))
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['error', 'warn', 'info', 'debug']))
    .addOption(new Option('--log-format <format>', 'log lines as text or one JSON object each').choices(['text', 'json']).default('text'))
    .option('-v, --verbose', 'log each step and its timing (same as --log-level debug)')
    .option('--timings', 'print where the command spent its time, step by step, on exit (stderr)')
    // commander's own usage errors, as one line with what to do, like podctl's.
    .configureOutput({ outputError: (text, write) => write(`podctl: ${commanderLine(text)}; see podctl --help\n`) })
    .exitOverride();
  registerPodCommands(program);
  registerCniCommands(program);
  registerNetCommands(program);
  registerKubeCommands(program);
  registerTraceCommands(program);
  registerServiceCommands(program);
  registerServeCommands(program);
  registerInfoCommand(program);
  return program;
}

/** "error: unknown option '--x'\n(Did you mean --y?)" → "unknown option '--x' (Did you mean --y?)". */
export function commanderLine(text: string): string {
  return text
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ')
    .replace(/\.$/, '');
}

export async function main(argv: string[]): Promise<void> {
  exitQuietlyWhenOutputCloses();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const debug = argv.includes('-v') || argv.includes('--verbose') || argv.join(' ').includes('--log-level debug');
    process.exitCode = reportError(err, debug);
  }
}
