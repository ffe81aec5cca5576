import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Paths and names the whole bench shares; every host object it makes carries one of these names. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PODCTL = join(REPO_ROOT, 'bin', 'podctl');
export const BY_HAND = join(REPO_ROOT, 'bench', 'by-hand-pod.sh');
export const PODMAN_SETUP = join(REPO_ROOT, 'bench', 'podman-setup.sh');
/** One network for all three contenders: bridge + host-local, its own bridge and subnet. */
export const CONF_DIR = join(REPO_ROOT, 'bench', 'cni-conf');
export const CONF_FILE = join(CONF_DIR, '10-pct-bench.conf');
export const NETWORK = 'pct-bench';
export const BRIDGE = 'pct-bench0';
export const IPAM_DIR = '/var/lib/podctl/cni/networks/pct-bench';
/** podctl pods of the bench live in their own pod namespace, so `ps -n` sees only them. */
export const NAMESPACE = 'pct-bench';
export const BY_HAND_PREFIX = 'pct-byhand-';
export const PODMAN_PREFIX = 'pct-bench-pm-';
export const APP_IMAGE = 'nginx:latest';
export const PAUSE_IMAGE = 'localhost/podctl-pause:3.10';

/** podctl with the bench network; `args` start with the subcommand. */
export const podctlArgs = (args: string[]): string[] => ['--cni-conf-dir', CONF_DIR, ...args];
