/**
 * The CLI bundle's entry (scripts/bundle-cli.mjs): the CLI's `main`, and the hook the build
 * runs once to fill the V8 code cache.
 */
export { main } from './main.js';

/**
 * Build time only: loads (evaluates, without running any command) the modules a pod's life
 * needs, so that the code cache written after it holds their compiled top level code too.
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
}
