import { poll } from '../../util/poll.js';
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { PodctlError } from '../../util/errors.js';
import { spawnCapture } from '../../util/spawn-capture.js';

export interface PluginRequest {
  pluginPath: string;
  /** The JSON config sent on stdin. */
  stdin: string;
  /** The whole environment of the plugin process (nothing is inherited). */
  env: Record<string, string>;
  timeoutMs: number;
  /** A lock's file descriptor the plugin inherits (as fd 3), so the lock lives as long as it does. */
  lockFd?: number;
}

export interface PluginOutput {
  /** The exit status; -1 when the process was killed or never started. */
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the process could not be started at all (EACCES, ENOEXEC, ...). */
  spawnError?: string;
}

/**
 * The seam between the runtime and plugin processes (libcni's invoke.Exec): the spawn
 * implementation runs real binaries; tests pass a recording fake.
 */
export interface PluginExec {
  findInPath(plugin: string, dirs: readonly string[]): Promise<string>;
  execPlugin(request: PluginRequest): Promise<PluginOutput>;
}

/** The first executable regular file named `plugin` in `dirs`, in order. */
export async function findPluginInDirs(plugin: string, dirs: readonly string[]): Promise<string> {
  for (const dir of dirs) {
    const candidate = join(dir, plugin);
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw pluginNotFound(plugin, dirs);
}

/** A regular file this process may execute (what plugin lookup accepts). */
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false; // absent, or not executable
  }
}

/** NOT_FOUND naming the plugin and every directory searched. */
export function pluginNotFound(plugin: string, dirs: readonly string[]): PodctlError {
  const searched = dirs.length > 0 ? dirs.join(', ') : '(no directories: the CNI path is empty)';
  return new PodctlError('NOT_FOUND', `CNI plugin ${JSON.stringify(plugin)} not found in ${searched}`, {
    hint: 'install the plugin or point --cni-path / CNI_PATH at its directory',
    details: { plugin, searched: [...dirs] },
  });
}

export interface SpawnPluginExecOptions {
  /** How often to retry a plugin whose binary is being written ("text file busy"). */
  busyRetries?: number;
  busyDelayMs?: number;
}


/** Runs plugins as child processes: no arguments, no shell, a clean environment, a hard timeout. */
export class SpawnPluginExec implements PluginExec {
  private readonly busyRetries: number;
  private readonly busyDelayMs: number;

  constructor(options: SpawnPluginExecOptions = {}) {
    this.busyRetries = options.busyRetries ?? 5;
    this.busyDelayMs = options.busyDelayMs ?? 200;
  }

  findInPath(plugin: string, dirs: readonly string[]): Promise<string> {
    return findPluginInDirs(plugin, dirs);
  }

  async execPlugin(request: PluginRequest): Promise<PluginOutput> {
    // A plugin binary being written (just installed or upgraded) fails to start with ETXTBSY: retried.
    const output = await poll<PluginOutput>(async (attempt) => {
      const result = await spawnCapture(request.pluginPath, [], {
        input: request.stdin,
        env: request.env,
        timeoutMs: request.timeoutMs,
        killSignal: 'SIGKILL',
        ...(request.lockFd !== undefined ? { inheritFds: [request.lockFd] } : {}),
      });
      if (result.spawnError?.code === 'ETXTBSY' && attempt <= this.busyRetries) return undefined;
      return {
        exitCode: result.exitCode ?? -1,
        stdout: result.stdout,
        stderr: result.overflow ? `${result.stderr}\n(output over 64 MiB: killed)` : result.stderr,
        timedOut: result.timedOut,
        ...(result.spawnError && { spawnError: result.spawnError.message }),
      };
    }, { firstDelayMs: this.busyDelayMs, maxDelayMs: this.busyDelayMs * 4 });
    return output!; // the last attempt always returns its output
  }
}
