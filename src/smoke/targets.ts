import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CONF_EXTENSIONS } from '../cni/index.js';
import { invalidArgument } from '../util/errors.js';
import { filesOf } from '../util/files-of.js';

/** One config file to test: its text and, when it has one, the name it declares. */
export interface SmokeTarget {
  file: string;
  text: string;
  /** The `name` field when the file is JSON with a string name, else the file name. */
  name: string;
}

/**
 * Files and directories from the command line, in order; a directory contributes its
 * config files sorted by name, as a runtime would load them. `networks` keeps only those.
 */
export async function resolveTargets(paths: string[], networks: string[] = []): Promise<SmokeTarget[]> {
  const files: string[] = [];
  for (const path of paths) files.push(...(await configFiles(path)));
  const targets: SmokeTarget[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    targets.push({ file, text, name: declaredName(text) ?? basename(file) });
  }
  if (networks.length === 0) return targets;
  const missing = networks.filter((n) => !targets.some((t) => t.name === n));
  if (missing.length > 0) {
    const known = targets.map((t) => t.name).join(', ') || 'none';
    throw invalidArgument(`--network ${missing.join(', ')}: no such network in ${paths.join(' ')} (networks: ${known})`);
  }
  return targets.filter((t) => networks.includes(t.name));
}

async function configFiles(path: string): Promise<string[]> {
  const found = await filesOf(path, CONF_EXTENSIONS);
  if (!found) throw invalidArgument(`${path} does not exist`, 'give CNI config files or directories');
  if (found.directory && found.files.length === 0) throw invalidArgument(`${path} holds no CNI configs (${CONF_EXTENSIONS.join(', ')})`);
  return found.files;
}

function declaredName(text: string): string | undefined {
  try {
    const name = (JSON.parse(text) as { name?: unknown } | null)?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}
