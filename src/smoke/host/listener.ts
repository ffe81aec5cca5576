/**
 * A tiny TCP listener inside a namespace: this node binary run under `ip netns exec`, so no
 * image and no nc are needed. It answers every connection with `token` and exits by itself
 * after `ttlMs` should podctl die before stopping it.
 */

import { createConnection, createServer } from 'node:net';
import { PodctlError } from '../../util/errors.js';

const SCRIPT = `const [port, token, ttl] = process.argv.slice(1);
const server = require('net').createServer((s) => s.end(token + '\\n'));
const ready = () => console.log('ready');
// Both families where the namespace has IPv6, else IPv4 alone.
server.once('error', () => server.listen(Number(port), '0.0.0.0', ready));
server.listen(Number(port), '::', ready);
setTimeout(() => process.exit(0), Number(ttl));`;

export interface NetnsListener {
  stop(): Promise<void>;
  /** Everything the script printed after `ready`, once it exits by itself. */
  output: Promise<string>;
}

export async function startNetnsListener(netns: string, port: number, token: string, ttlMs = 60_000): Promise<NetnsListener> {
  return startScript(netns, SCRIPT, [String(port), token, String(ttlMs)]);
}

/**
 * Runs a node script inside `netns` (this node binary under `ip netns exec`), or on the host
 * when `netns` is undefined, and resolves once it prints `ready`. The script must exit by
 * itself after a while, should podctl die first.
 */
export async function startScript(netns: string | undefined, script: string, scriptArgs: string[]): Promise<NetnsListener> {
  const { execa } = await import('execa');
  const node = [process.execPath, '-e', script, ...scriptArgs];
  const where = netns === undefined ? 'on the host' : `in netns ${netns}`;
  const [file, ...args] = netns === undefined ? node : ['ip', 'netns', 'exec', netns, ...node];
  const child = execa(file!, args, { reject: false, buffer: false, stdin: 'ignore' });
  const stop = async () => {
    child.kill('SIGKILL');
    await child;
  };
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('ready')) resolve();
    });
    child.stderr?.on('data', (d: Buffer) => (err += String(d)));
    void child.then((r) => reject(new PodctlError('INTERNAL', `script ${where} exited (${r.exitCode ?? r.signal}): ${err.trim() || 'no output'}`)));
    setTimeout(() => reject(new PodctlError('TIMEOUT', `script ${where} not ready within 5 s`)), 5000).unref();
  });
  try {
    await ready;
  } catch (e) {
    await stop();
    throw e;
  }
  const output = child.then(() => out.slice(out.indexOf('ready') + 'ready'.length).trim());
  return { stop, output };
}

/** Connects to host:port and returns the first line the peer sends (or throws why not). */
export function readBanner(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = createConnection({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('data', (d) => (data += String(d)));
    socket.on('error', reject);
    socket.on('close', () => resolve(data.trim()));
  });
}

/**
 * `count` distinct TCP ports on 127.0.0.1 that nothing listens on right now. They are held all at
 * once while the kernel picks them: asked one at a time, a port just given back can be given
 * again, and two pods mapping the same host port make the first one's DNAT rule take both.
 */
export async function freeLocalPorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              resolve(typeof address === 'object' && address ? address.port : 0);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => (server.listening ? server.close(resolve) : resolve(undefined)))));
  }
}
