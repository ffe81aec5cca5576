import { readFile } from 'node:fs/promises';
import { PodctlError, errnoOf, invalidArgument, isPodctlError, notFound } from '../../util/errors.js';
import { filesOf } from '../../util/files-of.js';
import { configError } from '../errors.js';
import type { NetworkConfigList } from '../types.js';
import { parseNetworkConfig } from './parse-network.js';

export const CONF_EXTENSIONS = ['.conf', '.conflist', '.json'];

export interface ConfDirScan {
  dir: string;
  /** Valid networks, in file-name order. */
  networks: NetworkConfigList[];
  /** One error per file that failed, in file-name order. */
  problems: ConfProblem[];
}

export interface ConfProblem {
  file: string;
  /** The network name the file declares, when it has a readable one. */
  network?: string;
  error: PodctlError;
}

/** Reads every config in `dir` (sorted by file name), keeping the valid ones and the errors. */
export async function scanConfDir(dir: string): Promise<ConfDirScan> {
  const files = await confFiles(dir);
  const networks: NetworkConfigList[] = [];
  const problems: ConfProblem[] = [];
  const owner = new Map<string, string>();
  for (const file of files) {
    try {
      const net = await loadNetworkFile(file);
      const first = owner.get(net.name);
      if (first !== undefined) throw configError(file, 'name', `network ${JSON.stringify(net.name)} is already defined in ${first}`, net.name);
      owner.set(net.name, file);
      networks.push(net);
    } catch (err) {
      if (!isPodctlError(err)) throw err;
      problems.push({ file, network: await declaredName(file), error: err });
    }
  }
  return { dir, networks, problems };
}

/** The `name` of a config that failed validation, so a lookup by name can report why. */
async function declaredName(file: string): Promise<string | undefined> {
  try {
    const name = (JSON.parse(await readFile(file, 'utf8')) as { name?: unknown })?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Loads one config file (any of the config extensions; the content decides list or single). */
export async function loadNetworkFile(file: string): Promise<NetworkConfigList> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') throw notFound(`CNI config file ${file} does not exist`);
    throw configError(file, undefined, `cannot be read: ${(err as Error).message}`);
  }
  return parseNetworkConfig(text, file);
}

async function confFiles(dir: string): Promise<string[]> {
  const found = await filesOf(dir, CONF_EXTENSIONS);
  if (!found) throw notFound(`CNI config directory ${dir} does not exist`, 'pass --cni-conf-dir or set PODCTL_CNI_CONF_DIR');
  if (!found.directory) throw invalidArgument(`CNI config directory ${dir} is a file`, 'pass the directory that holds it with --cni-conf-dir');
  return found.files;
}
