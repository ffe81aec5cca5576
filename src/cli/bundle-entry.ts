/**
 * The CLI bundle's entry (scripts/bundle-cli.mjs): the CLI's `main`, and the hook the build
 * runs once to fill the V8 code cache.
 */
import { buildProgram } from './main.js';

export { main } from './main.js';

/** Command lines the build parses up to their actions (see loadForCodeCache). */
const PARSED_AT_BUILD = [
  ['run', '--name', 'cache', '--image', 'nginx', '-p', '8080:80', '-e', 'A=1', '--timings'],
  ['rm', '-f', 'cache'],
  ['ps'],
  ['--version'],
];

/**
 * Build time only: loads (evaluates, without running any command) the modules a pod's life
 * needs, and parses everyday command lines up to their actions, so that the code cache written
 * after it holds their top level code and what every start runs before it talks to the engine
 * (the command tree, commander's parsing; ~2 ms a start). V8 compiles a function at its first
 * call, and the cache holds only what was compiled when it was written.
 */
export async function loadForCodeCache(): Promise<void> {
  await Promise.all([
    import('./actions/pods.js'),
    import('./context.js'),
    import('./output.js'),
    import('./pull-progress.js'),
    import('../pod/manager.js'),
    import('../docker/client.js'),
    import('dockerode'),
  ]);
  const stop = new Error('parsed');
  for (const argv of PARSED_AT_BUILD) {
    const program = buildProgram()
      .hook('preAction', () => {
        throw stop;
      })
      .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    await program.parseAsync(['node', 'podctl', ...argv]).catch((err: unknown) => {
      if (err !== stop && (err as { code?: string }).code !== 'commander.version') throw err;
    });
  }
}
