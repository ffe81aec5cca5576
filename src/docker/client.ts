import { accessSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { AgentOptions } from 'node:http';
import { PodctlError, messageOf, errnoOf } from '../util/errors.js';

/**
 * Opens a dockerode client for DOCKER_HOST (dockerode reads it; unix socket by default).
 * dockerode is loaded here, on first use, so commands that never talk to Docker do not pay
 * for loading it.
 */
export async function openDocker(): Promise<Dockerode> {
  const [{ default: Docker }, { Agent }] = await Promise.all([import('dockerode'), import('node:http')]);
  const host = process.env.DOCKER_HOST;
  if (host && !host.startsWith('unix://')) return new Docker();
  // Node's agent asks isIP() of the Host header on the first request of a process to choose a
  // TLS server name; that first isIP costs ~3-5 ms (its IPv6 pattern is compiled), and a unix
  // socket has no server name. Keep-alive as Node's global agent; idle sockets do not hold
  // the process.
  const options: AgentOptions & { servername: string } = { keepAlive: true, servername: '' };
  const agent = new Agent(options);
  return new Docker({ socketPath: host ? host.slice('unix://'.length) : defaultSocket(), agent } as Dockerode.DockerOptions);
}

/**
 * The socket docker-modem would pick without DOCKER_HOST (Docker Desktop's per-user one, else
 * /var/run/docker.sock), chosen once: left to docker-modem, every request checks it again.
 */
function defaultSocket(): string {
  const user = join(homedir(), '.docker', 'run', 'docker.sock');
  try {
    accessSync(user);
    return user;
  } catch {
    return '/var/run/docker.sock';
  }
}

export function dockerHostLabel(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST && env.DOCKER_HOST !== '' ? env.DOCKER_HOST : 'unix:///var/run/docker.sock';
}

/** Turns a connection failure into one clear line; other errors pass through. */
export function wrapDockerError(err: unknown, doing: string): unknown {
  const code = errnoOf(err);
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'ECONNRESET') {
    return new PodctlError('UNAVAILABLE', `cannot ${doing}: no Docker engine answers at ${dockerHostLabel()} (${code})`, {
      hint: 'start dockerd (`make setup` starts one) or set DOCKER_HOST',
      cause: err,
    });
  }
  return err;
}

/** HTTP status of a dockerode error (404 for a missing container or image). */
export function dockerStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The engine's own message from a dockerode error ("No such image: ..."). */
export function dockerMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  return messageOf(err).replace(/^\(HTTP code \d+\)\s*[a-z ]*-\s*/, '');
}
