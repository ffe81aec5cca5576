import type { Command } from 'commander';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { defaultCniConfDir, defaultCniPath, defaultStatePaths } from '../../util/paths.js';
import { globals, loggerFor, requireRoot } from '../context.js';
import { write } from '../output.js';

interface CniTestFlags {
  network?: string[];
  pods: number;
  junit?: string;
  output: 'text' | 'json';
  /** Seconds. */
  timeout: number;
  keep?: boolean;
  engine?: 'docker' | 'netns';
  cleanup?: boolean;
}

/** Exit status after an interrupt, as a shell reports death by the signal. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export async function cniTestAction(cmd: Command, configs: string[]): Promise<void> {
  const flags = cmd.opts() as CniTestFlags;
  const pods = flags.pods;
  const timeoutMs = flags.timeout * 1000;
  requireRoot();
  const g = globals(cmd);
  const logger = loggerFor(cmd);
  const cniPath = (g.cniPath ?? defaultCniPath()).split(':').filter(Boolean);
  const smoke = await import('../../smoke/index.js');
  if (flags.cleanup) {
    const done = await smoke.removeKept({ cniPath, statePaths: defaultStatePaths(), logger });
    write(done.length > 0 ? done.join('\n') + '\n' : 'nothing left by podctl cni test --keep\n');
    return;
  }
  const controller = new AbortController();
  let signalled: keyof typeof SIGNAL_EXIT | undefined;
  const onSignal = (sig: keyof typeof SIGNAL_EXIT) => {
    // The second signal means "now": exit without waiting for the cleanup.
    if (signalled) process.exit(SIGNAL_EXIT[sig]);
    signalled = sig;
    process.stderr.write(`podctl: ${sig}: cleaning up (again to exit at once)\n`);
    controller.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const human = flags.output === 'text' ? new smoke.HumanReporter(write, { tty: process.stdout.isTTY === true }) : undefined;
    const report = await smoke.runSmoke({
      paths: configs.length > 0 ? configs : [g.cniConfDir ?? defaultCniConfDir()],
      networks: flags.network, pods, engine: flags.engine, keep: flags.keep, timeoutMs, cniPath, logger,
      reporter: human ?? {}, signal: controller.signal,
    });
    if (flags.junit) await writeFileAtomic(flags.junit, smoke.renderJunit(report), { mode: 0o644 });
    if (flags.output === 'json') write(smoke.renderJsonReport(report));
    process.exitCode = signalled ? SIGNAL_EXIT[signalled] : report.passed ? 0 : 1;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
