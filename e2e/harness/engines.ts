import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';

/**
 * The engines the e2e core runs on: dockerd (the default, started by `make setup`) and
 * podman's Docker-compatible API, served by `podman system service` on a socket of the test's
 * own for the time of the test file. `make setup` installs podman and imports the images.
 */
export type EngineName = 'docker' | 'podman';
export const ENGINES: readonly EngineName[] = ['docker', 'podman'];

export interface EngineUnderTest {
  name: EngineName;
  /** DOCKER_HOST for podctl; undefined = the default socket (dockerd). */
  dockerHost?: string;
  /** The engine's own CLI, for what a test does behind podctl's back (kill a container). */
  cli: string;
  stop(): Promise<void>;
}

const SERVICE_START_MS = 30_000;

export async function startEngine(name: EngineName): Promise<EngineUnderTest> {
  if (name === 'docker') return { name, cli: 'docker', stop: async () => undefined };
  return startPodmanService();
}

async function startPodmanService(): Promise<EngineUnderTest> {
  const dir = await mkdtemp('/run/podctl-e2e-podman-');
  const socket = join(dir, 'podman.sock');
  // --time=0: no idle exit; the test stops it. Its containers (conmon) outlive it by design.
  const service = execa('podman', ['system', 'service', '--time=0', `unix://${socket}`], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
  const stop = async () => {
    service.kill('SIGTERM');
    await service;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await untilAnswers(socket, service);
  } catch (err) {
    await stop();
    throw err;
  }
  return { name: 'podman', dockerHost: `unix://${socket}`, cli: 'podman', stop };
}

/** Waits until the service answers `GET /_ping` on its socket; fails at once if it exits. */
async function untilAnswers(socket: string, service: ResultPromise): Promise<void> {
  let exited: string | undefined;
  void service.then((r) => (exited = `podman system service exited ${r.exitCode}: ${String(r.stderr).trim() || '(no output)'}; is podman installed (make setup)?`));
  const deadline = Date.now() + SERVICE_START_MS;
  while (!(await pings(socket))) {
    if (exited) throw new Error(exited);
    if (Date.now() > deadline) throw new Error(`podman system service did not answer on ${socket} within ${SERVICE_START_MS} ms`);
    await sleep(50); // the socket appears once the service has read its storage
  }
}

function pings(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
