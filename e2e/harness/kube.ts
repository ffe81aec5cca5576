import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { podctlOk } from './run.js';

/** Writes `<dir>/<name>.yaml` for `podctl apply -f` and returns its path. */
export async function writeManifest(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, text);
  return path;
}

/** The fields of `podctl get pods -o json` the tests read. */
export interface PodJson {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { podIP?: string; phase?: string; containerStatuses?: Array<{ ready?: boolean; restartCount?: number }> };
}

/** The pods a label selector (`app=web`) picks, as `get pods -l` lists them. */
export const podsWith = async (selector: string): Promise<PodJson[]> => (JSON.parse((await podctlOk(['get', 'pods', '-l', selector, '-o', 'json'])).stdout) as { items: PodJson[] }).items;
