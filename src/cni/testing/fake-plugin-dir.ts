import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CniVerb } from '../errors.js';

/** What a fake plugin does for one verb. Without any, ADD answers `prevResult` or a small result. */
export interface FakeVerbBehaviour {
  exitCode?: number;
  /** Raw stdout (printed as is). */
  stdout?: string;
  stderr?: string;
  /** The ADD answer as JSON. */
  result?: Record<string, unknown>;
  /** A CNI error object printed on stdout, exit code 1 unless `exitCode` says otherwise. */
  error?: { code: number; msg: string; details?: string };
  sleepMs?: number;
}

export type FakeBehaviour = Partial<Record<CniVerb, FakeVerbBehaviour>>;

export interface FakeCall {
  plugin: string;
  verb: string;
  /** The plugin process's entire environment. */
  env: Record<string, string>;
  stdin: Record<string, unknown>;
  startedAt: number;
  endedAt?: number;
}

/**
 * Real executables for tests (libcni's `noop` idea): node scripts that record their env and
 * stdin in `calls.jsonl` and answer as `<name>.behaviour.json` says.
 */
export class FakePluginDir implements AsyncDisposable {
  private constructor(readonly dir: string) {}

  static async create(prefix = 'pct-cni-fake-'): Promise<FakePluginDir> {
    return new FakePluginDir(await mkdtemp(join(tmpdir(), prefix)));
  }

  /** Writes an executable plugin called `name`; returns its path. */
  async add(name: string, behaviour: FakeBehaviour = {}): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, `#!${process.execPath}\n${SCRIPT}`, { mode: 0o755 });
    await this.setBehaviour(name, behaviour);
    return path;
  }

  async setBehaviour(name: string, behaviour: FakeBehaviour): Promise<void> {
    await writeFile(join(this.dir, `${name}.behaviour.json`), JSON.stringify(behaviour));
  }

  async calls(): Promise<FakeCall[]> {
    const text = await readFile(join(this.dir, 'calls.jsonl'), 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeCall & { id: string; end?: boolean });
    const ends = new Map(lines.filter((l) => l.end).map((l) => [l.id, l.endedAt]));
    return lines.filter((l) => !l.end).map(({ id, end: _end, ...call }) => ({ ...call, endedAt: ends.get(id) }));
  }

  async clearCalls(): Promise<void> {
    await rm(join(this.dir, 'calls.jsonl'), { force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

// CommonJS on purpose: the temp dir has no package.json saying otherwise.
const SCRIPT = String.raw`
const fs = require('fs');
const path = require('path');
const dir = path.dirname(process.argv[1]);
const name = path.basename(process.argv[1]);
const id = Math.random().toString(36).slice(2);
let raw = '';
try { raw = fs.readFileSync(0, 'utf8'); } catch {}
let conf = {};
try { conf = JSON.parse(raw); } catch {}
const env = { ...process.env };
const verb = env.CNI_COMMAND;
const log = (entry) => fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify(entry) + '\n');
log({ id, plugin: name, verb, env, stdin: conf, startedAt: Date.now() });
let all = {};
try { all = JSON.parse(fs.readFileSync(path.join(dir, name + '.behaviour.json'), 'utf8')); } catch {}
const b = all[verb] || {};
function smallResult() {
  const v = conf.cniVersion || '0.1.0';
  if (v === '0.1.0' || v === '0.2.0') return { cniVersion: v, ip4: { ip: '10.1.2.3/24', gateway: '10.1.2.1' } };
  const ip = { address: '10.1.2.3/24', gateway: '10.1.2.1', interface: 0 };
  if (!v.startsWith('1.')) ip.version = '4';
  return { cniVersion: v, interfaces: [{ name: env.CNI_IFNAME, sandbox: env.CNI_NETNS }], ips: [ip] };
}
function finish() {
  if (b.stderr) process.stderr.write(b.stderr);
  let code = b.exitCode === undefined ? 0 : b.exitCode;
  if (b.error) {
    process.stdout.write(JSON.stringify({ cniVersion: conf.cniVersion, ...b.error }));
    if (b.exitCode === undefined) code = 1;
  } else if (b.stdout !== undefined) {
    process.stdout.write(b.stdout);
  } else if (verb === 'ADD' && code === 0) {
    process.stdout.write(JSON.stringify(b.result || conf.prevResult || smallResult()));
  } else if (verb === 'VERSION' && code === 0) {
    process.stdout.write(JSON.stringify({ cniVersion: '1.1.0', supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] }));
  }
  log({ id, end: true, endedAt: Date.now() });
  process.exitCode = code;
}
setTimeout(finish, b.sleepMs || 0);
`;
