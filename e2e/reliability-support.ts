import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { exists } from './harness/leaks.js';
import { PODCTL, REPO_ROOT, podctl, podctlOk, type CliResult } from './harness/run.js';

/**
 * What the reliability suites (e2e/reliability-*.test.ts) share: fault-injection switches,
 * a killable podctl, a per-pod leak check that names its culprit, and private CNI setups.
 */

/** One action of `podctl gc -o json` (src/pod/gc.ts GcAction). */
export interface GcAction {
  kind: string;
  target: string;
  action: string;
  reason: string;
  error?: string;
}

/** `podctl FLAGS gc -o json ARGS`: its actions (the command must succeed, within `timeoutMs` when given). */
export async function gcActions(args: string[] = [], { timeoutMs, flags = [] }: { timeoutMs?: number; flags?: string[] } = {}): Promise<GcAction[]> {
  const r = await podctlOk([...flags, 'gc', '-o', 'json', ...args], timeoutMs === undefined ? {} : { timeoutMs });
  return (JSON.parse(r.stdout) as { actions: GcAction[] }).actions;
}

/** The teardown steps `stop` and `rm -f` pass through (src/pod/teardown.ts); RUN_STEPS has run's. */
export const STOP_STEPS = ['cni-del', 'unpin-netns', 'stop-containers', 'stop-pause'];
export const REMOVE_STEPS = ['cni-del', 'unpin-netns', 'remove-containers', 'release-volumes'];

/** The environment that makes podctl fail (or hang) at one named step (src/pod/steps.ts). */
export function faultAt(step: string, mode: 'fail' | 'hang' = 'fail'): Record<string, string> {
  return { PODCTL_FAULT_STEP: step, ...(mode === 'hang' ? { PODCTL_FAULT_MODE: 'hang' } : {}) };
}

/** Every step name `steps.run(...)` is called with in src/pod, `cni-add-${...}` as `cni-add-<network>`. */
export async function stepNamesInSource(): Promise<Set<string>> {
  const dir = join(REPO_ROOT, 'src', 'pod');
  const names = new Set<string>();
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const text = await readFile(join(dir, file), 'utf8');
    for (const m of text.matchAll(/steps\.run\(\s*(['`])([^'`]+)\1/g)) names.add(m[2]!.replace(/\$\{[^}]+\}/g, '<network>'));
  }
  return names;
}

/** The lines a failed command wrote on stderr (log lines included: the contract is one line). */
export const stderrLines = (r: CliResult): string[] => r.stderr.split('\n').filter((l) => l.trim() !== '');

/** A failed podctl: the given exit code and exactly one `podctl: ...` line on stderr. */
export function assertOneErrorLine(r: CliResult, exitCode: number | 'non-zero', pattern?: RegExp): void {
  const lines = stderrLines(r);
  if (exitCode === 'non-zero') assert.notEqual(r.exitCode, 0, `expected a failure; stdout: ${r.stdout}`);
  else assert.equal(r.exitCode, exitCode, `exit code; stderr: ${r.stderr}`);
  assert.equal(lines.length, 1, `exactly one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^podctl: \S/);
  if (pattern) assert.match(lines[0]!, pattern);
}

/** A `podctl` started in the background that hangs at a step until the test kills it. */
export interface HungPodctl {
  child: ResultPromise;
  /** SIGKILLs it (no cleanup handler of podctl runs) and waits for it to be gone. */
  kill(): Promise<void>;
}

/** Starts podctl with PODCTL_FAULT_MODE=hang at `step`; resolves once it prints that it hangs there. */
export async function startHung(args: string[], step: string, timeoutMs = 60_000): Promise<HungPodctl> {
  const child = execa(PODCTL, args, { env: faultAt(step, 'hang'), reject: false, timeout: 10 * 60_000 });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`podctl ${args.join(' ')} did not reach step ${step} in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += String(d);
      if (stderr.includes(`fault injection: hanging before step ${step}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void child.then((r) => {
      clearTimeout(timer);
      reject(new Error(`podctl ${args.join(' ')} exited ${r.exitCode} before step ${step}: ${stderr}${String(r.stderr ?? '')}`));
    });
  });
  return {
    child,
    kill: async () => {
      child.kill('SIGKILL');
      await child;
    },
  };
}

const IPAM_DIRS = ['/var/lib/podctl/cni/networks', '/var/lib/cni/networks'];
const CNI_CACHE = '/var/lib/podctl/cni/cache';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as { path: string }).path, e.name));
}

/**
 * What is left of one pod: its containers, namespace link or pin, checkpoint, and — given
 * the pause container id — its IP files, CNI cache entries and iptables rules; given its IPs,
 * the DNAT rules portmap made for them (their chain names no id). Tests that run in parallel
 * use it to say which of them leaked; the global leak checker still closes each.
 */
export async function leftoversOf(name: string, pauseIds: string[] = [], ips: string[] = []): Promise<string[]> {
  const out: string[] = [];
  const containers = await execa('docker', ['ps', '-a', '--filter', `label=io.podctl.pod=${name}`, '--format', '{{.Names}}'], { reject: false });
  for (const c of String(containers.stdout).split('\n').filter(Boolean)) out.push(`container ${c}`);
  if (await exists(`/var/run/netns/${name}`)) out.push(`netns /var/run/netns/${name}`);
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  if (mounts.split('\n').some((l) => l.split(' ')[4] === `/run/netns/${name}`)) out.push(`netns pin /run/netns/${name}`);
  if (await exists(`/var/lib/podctl/pods/default_${name}`)) out.push(`checkpoint dir /var/lib/podctl/pods/default_${name}`);
  const ids = pauseIds.filter((id) => /^[0-9a-f]{64}$/.test(id));
  const dnat = ips.map((ip) => `--to-destination ${ip}:`);
  if (ids.length === 0 && dnat.length === 0) return out;
  for (const file of (await Promise.all(IPAM_DIRS.map(filesUnder))).flat()) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (ids.some((id) => text.startsWith(id))) out.push(`IP file ${file}`);
  }
  for (const file of await filesUnder(CNI_CACHE)) if (ids.some((id) => file.includes(id))) out.push(`CNI cache ${file}`);
  for (const table of ['nat', 'filter']) {
    const rules = await execa('iptables', ['-w', '-t', table, '-S'], { reject: false });
    for (const l of String(rules.stdout).split('\n')) {
      if (ids.some((id) => l.includes(id)) || dnat.some((d) => l.includes(d))) out.push(`iptables -t ${table}: ${l}`);
    }
  }
  return out;
}

export async function assertPodGone(name: string, pauseIds: string[] = [], ips: string[] = []): Promise<void> {
  const left = await leftoversOf(name, pauseIds, ips);
  assert.deepEqual(left, [], `pod ${name} left:\n  ${left.join('\n  ')}`);
}

/** The pause container id of a pod (from Docker, so it works whatever podctl thinks). */
export async function pauseIdOf(name: string): Promise<string | undefined> {
  const r = await execa('docker', ['ps', '-a', '--no-trunc', '--filter', `label=io.podctl.pod=${name}`, '--filter', 'label=io.podctl.role=pause', '--format', '{{.ID}}'], { reject: false });
  return String(r.stdout).trim().split('\n')[0] || undefined;
}

export interface PrivateCniOptions {
  /** Unique per test: the network name, the bridge (at most 15 bytes) and a /24 of 10.234.0.0/16. */
  network: string;
  bridge: string;
  subnet: string;
  /** Extra plugins after bridge (+host-local), e.g. { type: 'portmap', capabilities: { portMappings: true } }. */
  extraPlugins?: Array<Record<string, unknown>>;
  /** podctl --plugin-timeout for every command of the test (a hanging plugin is killed after it). */
  pluginTimeoutSeconds?: number;
}

/**
 * A CNI setup of the test's own: a conf dir with one bridge network and a plugin dir of
 * symlinks to /usr/lib/cni, so a test can edit the config, remove a plugin or add a fake
 * one without touching what other tests use. `cleanup()` removes the dirs and the bridge.
 */
export class PrivateCni {
  private constructor(
    readonly confDir: string,
    readonly binDir: string,
    readonly options: PrivateCniOptions,
  ) {}

  static async create(options: PrivateCniOptions): Promise<PrivateCni> {
    const root = await mkdtemp(join(tmpdir(), 'pct-rel-cni-'));
    const confDir = join(root, 'net.d');
    const binDir = join(root, 'bin');
    await execa('mkdir', ['-p', confDir, binDir]);
    for (const plugin of await readdir('/usr/lib/cni')) await symlink(join('/usr/lib/cni', plugin), join(binDir, plugin));
    const cni = new PrivateCni(confDir, binDir, options);
    await cni.writeConfig(cni.config());
    return cni;
  }

  get confFile(): string {
    return join(this.confDir, '10-net.conflist');
  }

  /** Global flags that point podctl at this setup. */
  get flags(): string[] {
    const timeout = this.options.pluginTimeoutSeconds;
    return ['--cni-conf-dir', this.confDir, '--cni-path', this.binDir, ...(timeout !== undefined ? ['--plugin-timeout', String(timeout)] : [])];
  }

  config(subnet = this.options.subnet, bridge = this.options.bridge): Record<string, unknown> {
    return {
      cniVersion: '1.0.0',
      name: this.options.network,
      plugins: [
        {
          type: 'bridge',
          bridge,
          isGateway: true,
          ipMasq: true,
          ipam: { type: 'host-local', dataDir: '/var/lib/podctl/cni/networks', ranges: [[{ subnet }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        ...(this.options.extraPlugins ?? []),
      ],
    };
  }

  async writeConfig(config: Record<string, unknown>): Promise<void> {
    await writeFile(this.confFile, JSON.stringify(config, null, 2));
  }

  /** Replaces a plugin with an executable script (a fake plugin). */
  async writePlugin(name: string, script: string): Promise<void> {
    await rm(join(this.binDir, name), { force: true });
    await writeFile(join(this.binDir, name), script, { mode: 0o755 });
  }

  async removePlugin(name: string): Promise<void> {
    await rm(join(this.binDir, name));
  }

  async cleanup(): Promise<void> {
    await rm(join(this.confDir, '..'), { recursive: true, force: true });
    await execa('ip', ['link', 'del', this.options.bridge], { reject: false });
    // host-local's own bookkeeping goes too; an address file left there stays (and fails the leak check).
    const ipam = join('/var/lib/podctl/cni/networks', this.options.network);
    for (const file of await readdir(ipam).catch(() => [] as string[])) {
      if (file === 'lock' || file.startsWith('last_reserved_ip')) await rm(join(ipam, file), { force: true });
    }
    await rmdir(ipam).catch(() => undefined);
  }
}

/** `podctl rm -f` that must succeed, for test cleanup paths. */
export async function removeForce(names: string[], globalFlags: string[] = []): Promise<CliResult> {
  return podctl([...globalFlags, 'rm', '-f', ...names]);
}

/**
 * The image for a run that must reach `step`: `ensure-images` runs only when creating a
 * container finds its image missing, so that step gets an image the engine lacks (its pull
 * fails: nothing leaves the host).
 */
export const imageReaching = (step: string): string => (step === 'ensure-images' ? '127.0.0.1:9/nosuch:tag' : 'nginx');

/** mulberry32: small, seedable, good enough to spread kill delays (a seed replays a run's delays). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Restarting the engine (e2e/reliability-dockerd-restart.test.ts, e2e/kube-workload-truth.test.ts).

async function dockerdPid(): Promise<number | undefined> {
  const r = await execa('pgrep', ['-x', 'dockerd'], { reject: false });
  const pids = String(r.stdout).split('\n').filter(Boolean).map(Number);
  return pids.length === 1 ? pids[0] : undefined;
}

/** Running, not a zombie (this host's init may leave dead children unreaped for long). */
const alive = (pid: number): Promise<boolean> =>
  readFile(`/proc/${pid}/stat`, 'utf8').then(
    (s) => !/\) Z /.test(s),
    () => false,
  );

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await alive(pid))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dockerd (pid ${pid}) did not exit within ${timeoutMs} ms`);
}

const LOCAL_ENGINE = ['unix:///var/run/docker.sock', 'unix:///run/docker.sock'];
const DOCKERD_PID_FILE = '/var/run/docker.pid';
const CONTAINERD_PID_FILE = '/var/run/docker/containerd/containerd.pid';

async function cannotRestartBecause(): Promise<string | undefined> {
  const host = process.env.DOCKER_HOST;
  if (host && !LOCAL_ENGINE.includes(host)) return `DOCKER_HOST=${host} names an engine podctl does not own`;
  if ((await dockerdPid()) === undefined) return 'no single local dockerd process';
  return undefined;
}

/**
 * The `skip` of a test that restarts the engine. Off CI such a test skips when podctl does not
 * own the engine (DOCKER_HOST names another one, or no single local dockerd process runs); on
 * CI (CI=true) that is a failure, never a skip (restartEngine fails it).
 */
export async function engineRestartSkip(): Promise<string | false> {
  const reason = await cannotRestartBecause();
  return reason !== undefined && process.env.CI !== 'true' ? reason : false;
}

/**
 * Stops dockerd with `signal` (SIGTERM: a clean stop; SIGKILL: a crash; either way every
 * container stops, at the latest when dockerd starts again), runs `whileDown`, and starts it
 * exactly as `make setup` does (scripts/setup.sh), waiting until it answers.
 */
export async function restartEngine(whileDown: () => Promise<void> = async () => undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const reason = await cannotRestartBecause();
  if (reason) assert.fail(`on CI this test must run, but it cannot restart the engine: ${reason}`);
  const pid = (await dockerdPid())!;
  process.kill(pid, signal);
  await waitGone(pid, 60_000);
  // A killed dockerd leaves its pid file, and until its parent reaps it (this host's init may
  // not, soon) its pid still names a process: the next dockerd would refuse to start ("pid file
  // found"), as it did once here. The file is ours to remove only when it names the one killed.
  if ((await readFile(DOCKERD_PID_FILE, 'utf8').catch(() => '')).trim() === String(pid)) await rm(DOCKERD_PID_FILE, { force: true });
  // The same for the containerd that dockerd ran: it dies with dockerd (parent-death signal), and
  // while its unreaped pid still looks alive the next dockerd waits for its socket and gives up
  // ("containerd is still running", then "timeout waiting for containerd to start").
  const containerd = Number((await readFile(CONTAINERD_PID_FILE, 'utf8').catch(() => '')).trim());
  if (containerd > 0) {
    await waitGone(containerd, 10_000).catch(() => undefined);
    if (!(await alive(containerd))) await rm(CONTAINERD_PID_FILE, { force: true });
  }
  await whileDown();
  await execa('bash', [`${REPO_ROOT}/scripts/setup.sh`], { env: { CI: 'true' }, stdin: 'ignore' });
}

/**
 * What a reboot clears, for a simulated one (run while the engine is down): every process goes,
 * the cluster DNS server podctl started among them (its pid file is in /run/podctl), and the
 * tmpfs /var/run/netns pins of `pods` and /run/podctl with it. Docker's containers stay, stopped.
 */
export async function clearAsRebootWould(pods: string[]): Promise<void> {
  const dns = JSON.parse(await readFile('/run/podctl/dns/server.pid', 'utf8').catch(() => '{}')) as { pid?: number };
  if (dns.pid && (await alive(dns.pid))) {
    process.kill(dns.pid, 'SIGKILL');
    await waitGone(dns.pid, 10_000);
  }
  for (const pod of pods) await execa('ip', ['netns', 'delete', pod]);
  await rm('/run/podctl', { recursive: true, force: true });
}
