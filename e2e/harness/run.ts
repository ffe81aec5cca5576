import { execa } from 'execa';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PODCTL = join(REPO_ROOT, 'bin', 'podctl');

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs the real CLI (bin/podctl, the compiled build) and returns its output and exit code. */
export async function podctl(args: string[], options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const result = await execa(PODCTL, args, {
    reject: false,
    env: options.env,
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 120_000,
  });
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 1 };
}

/** The same, failing the test with the CLI's own error line when it exits non-zero. */
export async function podctlOk(args: string[], options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const result = await podctl(args, options);
  if (result.exitCode !== 0) {
    throw new Error(`podctl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr.trim()}`);
  }
  return result;
}

/** Runs a host command (ip, iptables, ...) and returns stdout; throws on failure. */
export async function sh(file: string, args: string[]): Promise<string> {
  const result = await execa(file, args, { reject: false });
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode}: ${String(result.stderr).trim()}`);
  return String(result.stdout);
}

/** A pod name no other test uses: prefix, a counter and the process id. */
let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${counter}`;
}

/** Fetches a URL from the host (pod IPs and 127.0.0.1 only) and returns status and body. */
export async function fetchText(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

/** Retries `fn` until it returns without throwing or the time is up (for servers starting). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 250);
    }
  }
}

export interface PodInspect {
  name: string;
  id: string;
  state: string;
  ips: string[];
  netns: string;
  networks: Array<{ name: string; ifname: string; ips: string[]; result?: unknown }>;
  pause: { id: string; image: string; pid?: number };
  containers: Array<{ name: string; id: string; image: string; state: string }>;
  labels: Record<string, string>;
  created: string;
}

export async function inspectPod(name: string, extra: string[] = []): Promise<PodInspect> {
  const { stdout } = await podctlOk(['inspect', name, '-o', 'json', ...extra]);
  return JSON.parse(stdout) as PodInspect;
}

/** Runs a command inside a pod through `podctl exec` and returns its result. */
export async function execInPod(pod: string, command: string[], container?: string): Promise<CliResult> {
  return podctl(['exec', pod, ...(container ? ['-c', container] : []), '--', ...command]);
}

/**
 * One GET on a new connection (agent: false), so a Service balances every request anew;
 * resolves with the trimmed body of a 200, rejects otherwise.
 */
export function getOnNewConnection(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
