import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../util/atomic-file.js';
import { PodctlError } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';
import { parseUpstreams } from './upstream.js';
import type { ZoneData } from './zone.js';

/** What the DNS process reads: where to listen, and the zone (rewritten by every services sync). */
export interface DnsProcessConfig {
  listen: string[];
  port: number;
  zone: ZoneData;
}

/** The DNS process as the services sync drives it (a fake in unit tests). */
export interface DnsRunner {
  ensure(config: DnsProcessConfig): Promise<void>;
  stop(): Promise<void>;
  running(): Promise<unknown>;
}

interface PidRecord {
  pid: number;
  listen: string[];
  port: number;
}

const START_TIMEOUT_MS = 10_000;
const ENTRY_MARK = 'dns/main.';

/**
 * The standalone cluster DNS process, podman's aardvark-dns way: started when the first pod
 * needs it, stopped when the last one is gone, found again by its pid file under the run dir
 * (checked against /proc, so a recycled pid is never taken for it). The caller holds the
 * services lock, so two podctl processes never start two servers.
 */
export class DnsProcess implements DnsRunner {
  constructor(private readonly runDir: string) {}

  private get dir(): string {
    return join(this.runDir, 'dns');
  }

  get configPath(): string {
    return join(this.dir, 'config.json');
  }

  private get pidPath(): string {
    return join(this.dir, 'server.pid');
  }

  /** Writes the zone; starts the process when none runs (or it listens elsewhere). */
  async ensure(config: DnsProcessConfig): Promise<void> {
    await writeJsonAtomic(this.configPath, config);
    const running = await this.running();
    if (running && running.port === config.port && running.listen.join() === config.listen.join()) return;
    if (running) await this.kill(running.pid);
    await this.start(config);
  }

  /** Stops the process and removes its files; nothing when none runs. */
  async stop(): Promise<void> {
    const running = await this.running();
    if (running) await this.kill(running.pid);
    await removeIfExists(this.pidPath);
    await removeIfExists(this.configPath);
  }

  async running(): Promise<PidRecord | undefined> {
    const record = await readJsonIfExists<PidRecord>(this.pidPath);
    if (!record) return undefined;
    const cmdline = await readFile(`/proc/${record.pid}/cmdline`, 'utf8').catch(() => '');
    return cmdline.includes(ENTRY_MARK) ? record : undefined;
  }

  private async start(config: DnsProcessConfig): Promise<void> {
    // Bad $PODCTL_DNS_UPSTREAM is refused here, in the command that has a terminal, not in the server.
    if (process.env.PODCTL_DNS_UPSTREAM) parseUpstreams(process.env.PODCTL_DNS_UPSTREAM);
    // A small young generation: under load V8 grows it to 16+ MB of garbage per semi-space, which is most of the RSS.
    const child = spawn(process.execPath, ['--max-semi-space-size=1', entryPath(), this.configPath], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.once('error', () => resolve(false));
    });
    child.stdout!.destroy();
    child.stderr!.destroy();
    if (!ready) {
      if (child.exitCode === null) child.kill('SIGKILL');
      const why = stderr.trim().split('\n').pop() || 'it did not report ready';
      throw new PodctlError('FAILED_PRECONDITION', `the cluster DNS server did not start on ${config.listen.join(', ')} port ${config.port}: ${why}`, {
        hint: 'free port 53 on that address (ss -lunp sport = 53), then run podctl gc',
      });
    }
    child.unref();
    await writeJsonAtomic(this.pidPath, { pid: child.pid!, listen: config.listen, port: config.port } satisfies PidRecord);
  }

  private async kill(pid: number): Promise<void> {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    // It exits at once on SIGTERM; wait for /proc to say so, so its port is free for a successor.
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) {
      const state = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      if (/^\d+ \(.*\) Z/.test(state)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** The built entry (dist/src/dns/main.js): a small process that loads only the DNS modules. */
function entryPath(): string {
  const built = join(packageRoot(), 'dist', 'src', 'dns', 'main.js');
  if (!existsSync(built)) throw new PodctlError('FAILED_PRECONDITION', `the cluster DNS server is not built (${built} is missing)`, { hint: 'run make build' });
  return built;
}
