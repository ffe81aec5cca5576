import { findPluginInDirs, pluginNotFound, type PluginExec, type PluginOutput, type PluginRequest } from '../invoke/plugin-exec.js';

export interface RecordedCall {
  /** The plugin's type (file name). */
  plugin: string;
  pluginPath: string;
  verb: string;
  env: Record<string, string>;
  stdin: Record<string, unknown>;
}

export type FakeAnswer = (call: RecordedCall) => Partial<PluginOutput> | Promise<Partial<PluginOutput>>;

/**
 * A PluginExec that runs nothing: it records every call and answers with what the test says.
 * `plugins` lists the names it pretends to find (in the first CNI path directory); without
 * it the real lookup runs.
 */
export class RecordingPluginExec implements PluginExec {
  readonly calls: RecordedCall[] = [];

  constructor(
    private readonly answer: FakeAnswer = defaultAnswer,
    private readonly plugins?: readonly string[],
  ) {}

  findInPath(plugin: string, dirs: readonly string[]): Promise<string> {
    if (this.plugins === undefined) return findPluginInDirs(plugin, dirs);
    if (this.plugins.includes(plugin) && dirs.length > 0) return Promise.resolve(`${dirs[0]}/${plugin}`);
    return Promise.reject(pluginNotFound(plugin, dirs));
  }

  async execPlugin(request: PluginRequest): Promise<PluginOutput> {
    const call: RecordedCall = {
      plugin: request.pluginPath.slice(request.pluginPath.lastIndexOf('/') + 1),
      pluginPath: request.pluginPath,
      verb: request.env.CNI_COMMAND ?? '',
      env: { ...request.env },
      stdin: JSON.parse(request.stdin) as Record<string, unknown>,
    };
    this.calls.push(call);
    return { exitCode: 0, stdout: '', stderr: '', timedOut: false, ...(await this.answer(call)) };
  }
}

/** ADD passes the previous result on (or a minimal one); every other verb succeeds silently. */
export const defaultAnswer: FakeAnswer = (call) => {
  if (call.verb !== 'ADD') return {};
  const prev = call.stdin.prevResult ?? { cniVersion: call.stdin.cniVersion };
  return { stdout: JSON.stringify(prev) };
};
