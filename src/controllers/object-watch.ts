import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { keyOf } from './keys.js';

/**
 * Object changes as they happen: an inotify watch on each kind's record directory of the
 * object store (`objects/<kind>/<namespace>_<name>.json`, written by rename), so a podctl
 * command that writes or removes a record wakes its controller at once; the periodic resync
 * catches anything a watch missed. The directories are made first, so a kind with no record
 * yet is watched too.
 */
export async function watchObjectRecords(stateDir: string, kinds: readonly string[], onChange: (key: string) => void): Promise<{ close(): void }> {
  const watchers: FSWatcher[] = [];
  for (const kind of kinds) {
    const dir = join(stateDir, 'objects', kind.toLowerCase());
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const watcher = watch(dir, (_event, file) => {
      const m = /^([^_]*)_(.+)\.json$/.exec(String(file ?? ''));
      if (m) onChange(keyOf({ kind, namespace: m[1]!, name: m[2]! }));
    });
    watcher.on('error', () => undefined);
    watchers.push(watcher);
  }
  return { close: () => watchers.forEach((w) => w.close()) };
}
