import type { Logger } from '../../util/logger.js';
import { isPodctlError } from '../../util/errors.js';
import { CniError, type CniVerb } from '../errors.js';
import { parseResult } from '../result/parse-result.js';
import type { CniResult } from '../result/types.js';
import type { PluginExec, PluginOutput } from './plugin-exec.js';
import type { EnvBase } from './plugin-env.js';

/** What every plugin call needs: the exec seam, where plugins live, PATH, a deadline. */
export interface InvokeContext extends EnvBase {
  exec: PluginExec;
  timeoutMs: number;
  logger: Logger;
  /** The container lock's file descriptor, handed to each plugin (see CniRuntime.withContainerLock). */
  lockFd?: number;
}

export interface PluginCall {
  verb: CniVerb;
  network?: string;
  pluginType: string;
  stdin: Record<string, unknown> | string;
  env: Record<string, string>;
}

/** Runs one plugin verb and returns its stdout; any failure becomes a CniError. */
export async function runPlugin(ctx: InvokeContext, call: PluginCall): Promise<string> {
  const pluginPath = await ctx.exec.findInPath(call.pluginType, ctx.cniPath);
  const stdin = typeof call.stdin === 'string' ? call.stdin : JSON.stringify(call.stdin);
  const started = Date.now();
  const out = await ctx.exec.execPlugin({ pluginPath, stdin, env: call.env, timeoutMs: ctx.timeoutMs, ...(ctx.lockFd !== undefined ? { lockFd: ctx.lockFd } : {}) });
  if (ctx.logger.enabled('debug')) {
    ctx.logger.debug(`cni ${call.verb} ${call.pluginType}`, {
      network: call.network, container: call.env.CNI_CONTAINERID, exit: out.exitCode, ms: Date.now() - started,
    });
  }
  const fail = (kind: CniError['kind'], msg: string, cniCode = 0) =>
    new CniError({ kind, plugin: call.pluginType, verb: call.verb, network: call.network, cniCode, msg, stderr: out.stderr });
  if (out.spawnError !== undefined) throw fail('spawn', `cannot start ${pluginPath}: ${out.spawnError}`);
  if (out.timedOut) throw fail('timeout', `no answer within ${ctx.timeoutMs} ms; the plugin was killed`);
  if (out.exitCode !== 0) throw failureFromOutput(call, out);
  return out.stdout;
}

/** Runs ADD (or anything that answers with a result) and returns the checked result. */
export async function runPluginForResult(ctx: InvokeContext, call: PluginCall, configVersion: string): Promise<CniResult> {
  const stdout = await runPlugin(ctx, call);
  const fail = (msg: string, cause?: unknown) =>
    new CniError({ kind: 'output', plugin: call.pluginType, verb: call.verb, network: call.network, cniCode: 0, msg, cause });
  if (stdout.trim() === '') throw fail('it exited 0 but printed no result');
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (err) {
    throw fail(`it printed something that is not JSON: ${snippet(stdout)}`, err);
  }
  try {
    return parseResult(parsed, configVersion);
  } catch (err) {
    if (!isPodctlError(err)) throw err;
    throw fail(err.message, err);
  }
}

/**
 * A non-zero exit: the spec's `{code, msg, details}` on stdout when it is there, else the
 * stderr text, else the bare exit status.
 */
export function failureFromOutput(call: Pick<PluginCall, 'verb' | 'network' | 'pluginType'>, out: PluginOutput): CniError {
  const base = { plugin: call.pluginType, verb: call.verb, network: call.network, stderr: out.stderr };
  const stdout = out.stdout.trim();
  const stderr = out.stderr.trim();
  const status = out.exitCode === -1 ? 'it was killed' : `exit code ${out.exitCode}`;
  if (stdout !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(stdout);
    } catch (err) {
      const more = stderr ? `; stderr: ${snippet(stderr)}` : '';
      return new CniError({ ...base, kind: 'exit', cniCode: 0, msg: `${status}, and its output is not a CNI error: ${snippet(stdout)}${more}`, cause: err });
    }
    const error = parsed as { code?: unknown; msg?: unknown; details?: unknown } | null;
    if (typeof error === 'object' && error !== null && (typeof error.code === 'number' || typeof error.msg === 'string')) {
      const details = error.details === undefined || error.details === '' ? undefined : typeof error.details === 'string' ? error.details : JSON.stringify(error.details);
      return new CniError({
        ...base,
        kind: 'plugin',
        cniCode: typeof error.code === 'number' ? error.code : 0,
        msg: typeof error.msg === 'string' && error.msg !== '' ? error.msg : status,
        ...(details !== undefined && { cniDetails: details }),
      });
    }
    return new CniError({ ...base, kind: 'exit', cniCode: 0, msg: `${status}, and its output is not a CNI error: ${snippet(stdout)}` });
  }
  return new CniError({ ...base, kind: 'exit', cniCode: 0, msg: stderr ? `${status}: ${snippet(stderr)}` : `${status} with no error message` });
}

const snippet = (text: string): string => {
  const flat = text.trim().replace(/\s+/g, ' ');
  return JSON.stringify(flat.length > 200 ? flat.slice(0, 200) + '…' : flat);
};
