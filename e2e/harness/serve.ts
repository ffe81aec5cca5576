import { spawn, type ChildProcess } from 'node:child_process';
import { PODCTL } from './run.js';

/** A `podctl serve` a test started: its process, what it wrote to stderr so far, its exit. */
export interface Serve {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Starts `podctl serve` without any inherited descriptor but stdio: the e2e lock's fd (the
 * tests run under flock) must not outlive the test in a serve left behind. Resolves once
 * serve says it is ready (its API listening too). `args` go after `serve` (`--listen ...`).
 */
export async function startServe(args: string[] = []): Promise<Serve> {
  const closeFds = 'for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@"';
  const child = spawn('/bin/bash', ['-c', closeFds, 'serve', PODCTL, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr!.on('data', (d: Buffer) => (text += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (!text.includes('serve: ready')) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${text}`);
    if (Date.now() > deadline) throw new Error(`serve not ready in 20 s: ${text}`);
    await sleep(50);
  }
  return { child, stderr: () => text, exited };
}

/** SIGTERM, then how long serve took to exit; SIGKILL and a failure past 15 s. */
export async function stopServe(s: Serve | undefined): Promise<number> {
  if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return 0;
  const started = Date.now();
  s.child.kill('SIGTERM');
  const timeout = sleep(15_000).then(() => 'timeout' as const);
  const code = await Promise.race([s.exited, timeout]);
  if (code === 'timeout') {
    s.child.kill('SIGKILL');
    throw new Error('serve did not stop within 15 s of SIGTERM');
  }
  return Date.now() - started;
}

/** `kill -9` of serve (a crash: nothing of its own shutdown runs), once it is gone. */
export async function killServe(s: Serve): Promise<void> {
  s.child.kill('SIGKILL');
  await s.exited;
}
