import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';

/**
 * Where podctl keeps its state. Everything podctl writes lives under these roots (or is a
 * Docker object with podctl labels), so `podctl gc` can find all of it.
 */
export interface StatePaths {
  /** Durable state: pod checkpoints, CNI cache. */
  stateDir: string;
  /** Volatile state: locks (cleared on reboot, like the namespaces themselves). */
  runDir: string;
}

export function defaultStatePaths(env: NodeJS.ProcessEnv = process.env): StatePaths {
  return {
    stateDir: env.PODCTL_STATE_DIR ?? '/var/lib/podctl',
    runDir: env.PODCTL_RUN_DIR ?? '/run/podctl',
  };
}

/** The CNI runtime's attachment cache (ADD's config, args and result, for DEL). */
export const cniCacheDir = (paths: StatePaths): string => join(paths.stateDir, 'cni', 'cache');

/** Pod and CNI container locks. */
export const lockDir = (paths: StatePaths): string => join(paths.runDir, 'locks');

/** The package's root directory (where package.json, cni-conf/ and images/ are). */
export function packageRoot(): string {
  // This file is src/util/paths.ts, or dist/src/util/paths.js once built.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('podctl package root not found');
}

export const DEFAULT_CNI_PATH = '/opt/cni/bin:/usr/lib/cni';

/** The network configs podctl uses when neither a flag nor the environment names a directory. */
export function defaultCniConfDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PODCTL_CNI_CONF_DIR) return env.PODCTL_CNI_CONF_DIR;
  if (existsSync('/etc/podctl/cni/net.d')) return '/etc/podctl/cni/net.d';
  return join(packageRoot(), 'cni-conf');
}

export function defaultCniPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CNI_PATH && env.CNI_PATH !== '' ? env.CNI_PATH : DEFAULT_CNI_PATH;
}
