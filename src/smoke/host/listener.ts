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
}

export async function startNetnsListener(netns: string, port: number, token: string, ttlMs = 60_000): Promise<NetnsListener> {
  const { execa } = await import('execa');
  const child = execa('ip', ['netns', 'exec', netns, process.execPath, '-e', SCRIPT, String(port), token, String(ttlMs)], {
    reject: false,
    buffer: false,
    stdin: 'ignore',
  });
  const stop = async () => {
    child.kill('SIGKILL');
    await child;
  };
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('ready')) resolve();
    });
    child.stderr?.on('data', (d: Buffer) => (err += String(d)));
    void child.then((r) => reject(new PodctlError('INTERNAL', `listener in netns ${netns} exited (${r.exitCode ?? r.signal}): ${err.trim() || 'no output'}`)));
    setTimeout(() => reject(new PodctlError('TIMEOUT', `listener in netns ${netns} not ready within 5 s`)), 5000).unref();
  });
  try {
    await ready;
  } catch (e) {
    await stop();
    throw e;
  }
  return { stop };
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

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
