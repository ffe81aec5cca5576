import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { errnoOf } from './errors.js';

/**
 * What a path given on a command line names, as a list of files: a file is itself; a directory
 * gives its files (not recursive) with one of `extensions`, sorted by name, as a runtime loads
 * a config directory (symlinks to files count, as with libcni's plain stat). `undefined` when
 * the path does not exist, so each caller words that error for its own kind of input.
 */
export async function filesOf(path: string, extensions: readonly string[]): Promise<{ files: string[]; directory: boolean } | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
  if (!info.isDirectory()) return { files: [path], directory: false };
  const names: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (!extensions.includes(extname(entry.name))) continue;
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(join(path, entry.name)).then((s) => s.isFile(), () => false)));
    if (isFile) names.push(entry.name);
  }
  // Byte order, not locale order: the same order as libcni's sort.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files: names.map((n) => join(path, n)), directory: true };
}
