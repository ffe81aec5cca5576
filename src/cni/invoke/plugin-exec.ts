import { poll } from '../../util/poll.js';
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { PodctlError, errnoOf, messageOf } from '../../util/errors.js';

export interface PluginRequest {
  pluginPath: string;
  /** The JSON config sent on stdin. */
  stdin: string;
  /** The whole environment of the plugin process (nothing is inherited). */
  env: Record<string, string>;
  timeoutMs: number;
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
 * The seam between the runtime and plugin processes (libcni's invoke.Exec): the execa
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
    try {
      if (!(await stat(candidate)).isFile()) continue;
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here (or not executable): keep looking
    }
  }
  throw pluginNotFound(plugin, dirs);
}

/** NOT_FOUND naming the plugin and every directory searched. */
export function pluginNotFound(plugin: string, dirs: readonly string[]): PodctlError {
  const searched = dirs.length > 0 ? dirs.join(', ') : '(no directories: the CNI path is empty)';
  return new PodctlError('NOT_FOUND', `CNI plugin ${JSON.stringify(plugin)} not found in ${searched}`, {
    hint: 'install the plugin or point --cni-path / CNI_PATH at its directory',
    details: { plugin, searched: [...dirs] },
  });
}

export interface ExecaPluginExecOptions {
  /** How often to retry a plugin whose binary is being written ("text file busy"). */
  busyRetries?: number;
  busyDelayMs?: number;
}


/** Runs plugins with execa: argument arrays, no shell, a clean environment, a hard timeout. */
export class ExecaPluginExec implements PluginExec {
  private readonly busyRetries: number;
  private readonly busyDelayMs: number;

  constructor(options: ExecaPluginExecOptions = {}) {
    this.busyRetries = options.busyRetries ?? 5;
    this.busyDelayMs = options.busyDelayMs ?? 200;
  }

  findInPath(plugin: string, dirs: readonly string[]): Promise<string> {
    return findPluginInDirs(plugin, dirs);
  }

  async execPlugin(request: PluginRequest): Promise<PluginOutput> {
    const { execa } = await import('execa');
    // A plugin binary being written (just installed or upgraded) fails to start with ETXTBSY: retried.
    const output = await poll<PluginOutput>(async (attempt) => {
      const result = await execa(request.pluginPath, [], {
        input: request.stdin,
        env: request.env,
        extendEnv: false,
        timeout: request.timeoutMs,
        killSignal: 'SIGKILL',
        reject: false,
        stripFinalNewline: false,
        maxBuffer: 64 * 1024 * 1024,
      });
      const startError = result.failed && result.exitCode === undefined && !result.timedOut && !result.isTerminated;
      if (startError && errnoOf(result.cause) === 'ETXTBSY' && attempt <= this.busyRetries) return undefined;
      return {
        exitCode: result.exitCode ?? -1,
        stdout: result.stdout,
        stderr: result.stderr,
        timedOut: result.timedOut,
        ...(startError && { spawnError: messageOf(result.cause) }),
      };
    }, { firstDelayMs: this.busyDelayMs, maxDelayMs: this.busyDelayMs * 4 });
    return output!; // the last attempt always returns its output
  }
}
