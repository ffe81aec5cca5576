import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { PodManager } from '../pod/manager.js';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../util/atomic-file.js';
import { errnoOf, PodctlError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { processAlive } from '../util/process-alive.js';
import { ensureCredentials } from './credentials.js';
import { clientHost, isLoopback, type ListenAddress } from './listen.js';
import { startApiServer } from './server.js';
import type { ChangeFeed } from '../kube/objects/change-feed.js';
import { ObjectStore } from '../kube/objects/store.js';
import { ObservedObjects } from './observed.js';

/** Where a running serve says its API listens, for `podctl kubeconfig` (the run dir: a reboot ends serve too). */
const addressFile = (runDir: string) => join(runDir, 'api', 'server.json');

export interface RunningApi {
  /** `https://127.0.0.1:6443`: what a client on this host dials. */
  url: string;
  /** A pod's containers changed (serve's Docker events): its watchers hear of it. */
  podChanged(namespace: string, name: string): void;
  close(): Promise<void>;
}

/**
 * The API part of `podctl serve`: credentials made or read, the HTTPS server listening, its
 * address published for `podctl kubeconfig`; `close` stops listening and withdraws the address.
 */
export async function serveApi(pods: PodManager, logger: Logger, listen: ListenAddress, feed?: ChangeFeed): Promise<RunningApi> {
  if (!isLoopback(listen.host)) logger.warn(`api: listening on ${listen.host}, which other hosts may reach: anyone with the token or a client certificate controls podctl's pods`);
  const credentials = await ensureCredentials(pods.stateDir, listen.host);
  const observed = feed && new ObservedObjects(pods, new ObjectStore(pods.stateDir), logger);
  await observed?.start(feed!);
  const server = await startApiServer({ pods, logger, credentials, ...listen, ...(feed && observed ? { watching: { feed, observed } } : {}) }).catch((err: unknown) => {
    observed?.close();
    const busy = errnoOf(err) === 'EADDRINUSE';
    throw new PodctlError(busy ? 'ALREADY_EXISTS' : 'UNAVAILABLE', `the API cannot listen on ${listen.host}:${listen.port}: ${busy ? 'the port is in use' : String(err)}`, { hint: 'give serve another --listen ADDRESS:PORT' });
  });
  // The port bound (the kernel's pick for port 0).
  const { port } = server.address() as AddressInfo;
  const url = `https://${clientHost(listen.host)}:${port}`;
  await writeJsonAtomic(addressFile(pods.runDir), { url, pid: process.pid });
  logger.info(`api: serving the Kubernetes API on https://${listen.host}:${port} (podctl kubeconfig prints a kubeconfig for it)`);
  return {
    url,
    podChanged: (namespace, name) => observed?.trigger(namespace, name),
    close: async () => {
      observed?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await removeIfExists(addressFile(pods.runDir));
    },
  };
}

/** The URL of the API a live serve published; NOT_FOUND when none runs. */
export async function runningApiUrl(runDir: string): Promise<string> {
  const published = await readJsonIfExists<{ url: string; pid: number }>(addressFile(runDir));
  if (!published || !processAlive(published.pid)) throw new PodctlError('NOT_FOUND', 'podctl serve is not running, so no API answers', { hint: 'start it (podctl serve) and try again' });
  return published.url;
}
