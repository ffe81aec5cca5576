import { basename } from 'node:path';
import type { PluginExec, PluginOutput, PluginRequest } from '../cni/index.js';

/**
 * A PluginExec that passes every call to `inner` and hands the plugin's stderr to `sink`,
 * headed by plugin, verb and container, so a report can show what the plugins said.
 */
export class StderrCapturingExec implements PluginExec {
  constructor(private readonly inner: PluginExec, private readonly sink: (text: string) => void) {}

  findInPath(plugin: string, dirs: readonly string[]): Promise<string> {
    return this.inner.findInPath(plugin, dirs);
  }

  async execPlugin(request: PluginRequest): Promise<PluginOutput> {
    const out = await this.inner.execPlugin(request);
    if (out.stderr.trim() !== '') {
      const verb = request.env.CNI_COMMAND ?? '?';
      const container = request.env.CNI_CONTAINERID ? ` ${request.env.CNI_CONTAINERID}` : '';
      this.sink(`--- ${basename(request.pluginPath)} ${verb}${container} (exit ${out.exitCode})\n${out.stderr.trimEnd()}\n`);
    }
    return out;
  }
}
