import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isExecutableFile, type PluginExec } from './plugin-exec.js';

/** A plugin binary of the CNI path, as lookup would find it. */
export interface FoundPlugin {
  name: string;
  path: string;
}

/** Every executable file in `dirs`, by name; the first directory holding a name wins, as in lookup. */
export async function listPluginsInDirs(dirs: readonly string[]): Promise<FoundPlugin[]> {
  const found = new Map<string, string>();
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    const executable = await Promise.all(names.map((name) => isExecutableFile(join(dir, name))));
    names.forEach((name, i) => {
      if (executable[i] && !found.has(name)) found.set(name, join(dir, name));
    });
  }
  return [...found].map(([name, path]) => ({ name, path })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The release of a plugin built on the reference plugins' skeleton, which prints an about
 * text when run without CNI_COMMAND: "CNI bridge plugin v1.4.0" ("version unknown" in
 * distribution builds). Undefined when the plugin prints no such line (it is not required by
 * the spec; VERSION tells the spec versions).
 */
export function parseAboutVersion(text: string): string | undefined {
  const m = /^CNI \S+ plugin (.+)$/m.exec(text);
  if (!m) return undefined;
  const version = m[1]!.trim();
  return version === 'version unknown' ? 'unknown' : version;
}

/** Runs a plugin with an empty environment and reads its about text (see parseAboutVersion). */
export async function pluginAboutVersion(exec: PluginExec, path: string, timeoutMs: number): Promise<string | undefined> {
  const out = await exec.execPlugin({ pluginPath: path, stdin: '', env: {}, timeoutMs });
  return parseAboutVersion(`${out.stderr}\n${out.stdout}`);
}
