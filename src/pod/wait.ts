import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { PodctlError } from '../util/errors.js';
import { poll } from '../util/poll.js';

/** What `--wait`, `--wait-http` and `--wait-tcp` ask for, checked against the pod IP. */
export interface WaitSpec {
  http?: { port: number; path: string };
  tcp?: number;
  timeoutMs: number;
}


/** One TCP connect attempt: true when the port accepts. */
export function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** One GET: true on 2xx/3xx. HTTPS skips certificate checks, as kubelet's probes do. */
export function httpOk(host: string, port: number, path: string, timeoutMs: number, https = false): Promise<boolean> {
  return new Promise((resolve) => {
    const send = https ? httpsRequest : request;
    const req = send({ host, port, path, method: 'GET', timeout: timeoutMs, ...(https ? { rejectUnauthorized: false } : {}) }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) >= 200 && (res.statusCode ?? 500) < 400);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * Probes until the pod answers or the deadline passes. The first probes come quickly
 * (servers usually need a few milliseconds), then back off to 200 ms.
 */
export async function waitForPod(ip: string, spec: WaitSpec): Promise<void> {
  const deadline = Date.now() + spec.timeoutMs;
  const answered = await poll(
    async () => {
      const left = Math.max(50, deadline - Date.now());
      const ok = spec.http
        ? await httpOk(ip, spec.http.port, spec.http.path, Math.min(left, 1000))
        : spec.tcp !== undefined
          ? await tcpOpen(ip, spec.tcp, Math.min(left, 1000))
          : true;
      return ok || undefined;
    },
    { firstDelayMs: 5, maxDelayMs: 200, deadline },
  );
  if (!answered) {
    const what = spec.http ? `http://${ip}:${spec.http.port}${spec.http.path}` : `tcp ${ip}:${spec.tcp}`;
    throw new PodctlError('TIMEOUT', `pod did not answer ${what} within ${spec.timeoutMs} ms`, {
      hint: "check the containers' logs, or allow a longer wait",
    });
  }
}

/** Tells whether something on the host already listens on a port, before podctl maps it. */
export async function hostPortInUse(port: number, protocol: string, hostIP?: string): Promise<boolean> {
  if (protocol !== 'tcp') return false;
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    server.listen({ port, host: hostIP ?? '0.0.0.0', exclusive: true }, () => server.close(() => resolve(false)));
  });
}
