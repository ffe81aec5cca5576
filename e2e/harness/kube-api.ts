import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { podctlOk } from './run.js';
import { startServe, type Serve } from './serve.js';

/** Where the preinstalled `kubectl` package keeps its minor versions side by side. */
const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
export const kubectlPath = (version: string) => join(KUBECTL_DIR, `kubectl.${version}`);

/**
 * One kubectl run against `kubeconfig`, never rejected: its own HOME (kubectl caches discovery
 * there, and a test must not read another server's), no environment but PATH, stdin closed
 * unless `input` is given.
 */
export function runKubectl(binary: string, kubeconfig: string, args: string[], options: { home: string; input?: string; timeout?: number }) {
  return execa(binary, ['--kubeconfig', kubeconfig, ...args], {
    reject: false,
    env: { HOME: options.home, PATH: process.env.PATH ?? '' },
    extendEnv: false,
    timeout: options.timeout ?? 60_000,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
  });
}

/** A port nothing listens on now (the kernel's pick on 127.0.0.1). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `podctl serve` with its API on a free loopback port, `manifest` applied and waited for, and
 * the kubeconfig `podctl kubeconfig` prints for it written into `work`.
 */
export async function serveWithApi(work: string, manifest: string): Promise<{ serve: Serve; port: number; kubeconfig: string }> {
  const port = await freePort();
  const serve = await startServe(['--listen', `127.0.0.1:${port}`]);
  await podctlOk(['apply', '-f', manifest, '--wait']);
  const kubeconfig = join(work, 'kubeconfig');
  await writeFile(kubeconfig, (await podctlOk(['kubeconfig'])).stdout);
  return { serve, port, kubeconfig };
}
