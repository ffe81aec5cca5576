import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort, kubectlPath } from '../../e2e/harness/kube-api.js';
import { timedOk, type Timed } from './proc.js';
import { startServe } from './serve.js';
import { NAMESPACE, PODCTL } from './setting.js';

/** The kubectl binaries the bench drives serve's API with (the e2e tests' oldest and newest). */
export const KUBECTL_NEWEST = kubectlPath('1.33');
export const KUBECTL_OLDEST = kubectlPath('1.27');
export { freePort };

/** serve with its API on a free loopback port, and kubectl set up for it. */
export interface ServedApi {
  port: number;
  kubeconfig: string;
  /** kubectl's environment: its own HOME (its discovery cache) under the scratch dir, PATH only. */
  env: Record<string, string>;
  /** Runs `binary` against the API in the bench namespace, timed; fails with kubectl's own message. */
  kubectl: (binary: string, args: string[]) => Promise<Timed>;
  stop: () => Promise<void>;
}

export async function serveApi(scratch: string): Promise<ServedApi> {
  const port = await freePort();
  const serve = await startServe(['--listen', `127.0.0.1:${port}`]);
  try {
    const home = join(scratch, 'home');
    mkdirSync(home, { recursive: true });
    const kubeconfig = join(scratch, 'kubeconfig');
    writeFileSync(kubeconfig, (await execa(PODCTL, ['kubeconfig'])).stdout);
    const env = { HOME: home, PATH: process.env.PATH ?? '' };
    const kubectl = (binary: string, args: string[]) => timedOk(binary, ['--kubeconfig', kubeconfig, '-n', NAMESPACE, ...args], { env, timeoutMs: 600_000 });
    return { port, kubeconfig, env, kubectl, stop: serve.stop };
  } catch (err) {
    await serve.stop();
    throw err;
  }
}
