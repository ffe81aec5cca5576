import { chmod, lstat, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type Dockerode from 'dockerode';
import type { DockerVolumes } from '../docker/volumes.js';
import { PodctlError, errnoOf, invalidArgument } from '../util/errors.js';
import type { PodDeps } from './context.js';
import type { ContainerSpec, PodSpec, PodVolume } from './spec.js';
import type { Rollback } from './steps.js';

/**
 * A pod's volumes on the host. Disk volumes (emptyDir, configMap, downwardAPI) are
 * directories of the pod's state directory; memory volumes (emptyDir medium Memory, secrets)
 * live on one tmpfs mounted for the pod, so a secret never reaches the disk; hostPath is the
 * host's own path; a named volume is Docker's. Each becomes a mount of the containers that
 * name it, so every container of the pod sees the same data.
 */

const needsTmpfs = (spec: PodSpec) => (spec.volumes ?? []).some((v) => 'medium' in v.source && v.source.medium === 'memory');

export const tmpfsDir = (podDir: string) => join(podDir, 'tmpfs');

function hostDirOf(podDir: string, volume: PodVolume): string {
  const memory = 'medium' in volume.source && volume.source.medium === 'memory';
  return join(memory ? tmpfsDir(podDir) : join(podDir, 'volumes'), volume.name);
}

/** A subPath stays inside its volume: relative, no `..`. */
export function subPathProblem(subPath: string): string | undefined {
  if (isAbsolute(subPath)) return 'must be a relative path';
  if (normalize(subPath).split('/').includes('..')) return 'must not contain ".."';
  return undefined;
}

const HOST_PATH_CHECKS: Record<string, { what: string; ok: (s: import('node:fs').Stats) => boolean }> = {
  Directory: { what: 'a directory', ok: (s) => s.isDirectory() },
  File: { what: 'a file', ok: (s) => s.isFile() },
  Socket: { what: 'a socket', ok: (s) => s.isSocket() },
  CharDevice: { what: 'a character device', ok: (s) => s.isCharacterDevice() },
  BlockDevice: { what: 'a block device', ok: (s) => s.isBlockDevice() },
  DirectoryOrCreate: { what: 'a directory', ok: (s) => s.isDirectory() },
  FileOrCreate: { what: 'a file', ok: (s) => s.isFile() },
};

/**
 * Checks before the host is touched: each mount names a volume of the pod, hostPath volumes
 * are of their declared type (or may be created), named volumes exist.
 */
export async function checkVolumes(dockerVolumes: DockerVolumes, spec: PodSpec): Promise<void> {
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  for (const c of [...spec.initContainers, ...spec.containers]) {
    for (const m of c.mounts ?? []) {
      if (!volumes.has(m.volume)) throw invalidArgument(`container ${c.name} mounts volume "${m.volume}", which pod ${spec.name} does not have`, 'add it to the pod\'s volumes or fix the volumeMount name');
      const problem = m.subPath === undefined ? undefined : subPathProblem(m.subPath);
      if (problem) throw invalidArgument(`subPath "${m.subPath}" of container ${c.name} ${problem}`, 'give a path inside the volume');
    }
  }
  await Promise.all(
    [...volumes.values()].map(async (v) => {
      if (v.source.kind === 'hostPath') await checkHostPath(v.name, v.source.path, v.source.type);
      if (v.source.kind === 'named') {
        if (!(await dockerVolumes.exists(v.source.volume))) {
          throw new PodctlError('NOT_FOUND', `volume ${v.name}: Docker volume ${v.source.volume} does not exist`, { hint: 'apply its PersistentVolumeClaim first (or docker volume create it)' });
        }
      }
    }),
  );
}

async function checkHostPath(name: string, path: string, type: string): Promise<void> {
  const check = HOST_PATH_CHECKS[type];
  if (!check) return;
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' && type.endsWith('OrCreate')) return;
    if (errnoOf(err) === 'ENOENT') throw invalidArgument(`hostPath volume ${name}: ${path} does not exist (type ${type})`, `create it, or use type ${type === 'File' ? 'FileOrCreate' : 'DirectoryOrCreate'}`);
    throw err;
  }
  if (!check.ok(info)) throw invalidArgument(`hostPath volume ${name}: ${path} is not ${check.what} (type ${type})`, 'fix the path or the type');
}

async function isMountPoint(path: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[4] === path);
}

/**
 * Creates each volume's data: the pod's tmpfs (its unmount registered first), emptyDir
 * directories, the files of configMap/secret/downwardAPI volumes, hostPath *OrCreate paths.
 * Safe to run again on a stopped pod (start after a reboot rewrites what the tmpfs lost).
 */
export async function materializeVolumes(deps: PodDeps, spec: PodSpec, rollback?: Rollback): Promise<void> {
  const volumes = spec.volumes ?? [];
  if (volumes.length === 0) return;
  const podDir = deps.store.podDir(spec);
  let tmpfsKept = false;
  if (needsTmpfs(spec)) {
    const dir = tmpfsDir(podDir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    tmpfsKept = await isMountPoint(dir);
    if (!tmpfsKept) {
      rollback?.push('unmount pod tmpfs', () => releaseVolumes(deps, spec));
      await deps.host.run('mount', ['-t', 'tmpfs', '-o', 'mode=0755,nosuid,nodev', 'tmpfs', dir]);
    }
  }
  for (const v of volumes) {
    const s = v.source;
    if (s.kind === 'emptyDir') await mkdir(hostDirOf(podDir, v), { recursive: true, mode: 0o777 }).then(() => chmod(hostDirOf(podDir, v), 0o777));
    if (s.kind === 'files') {
      const root = hostDirOf(podDir, v);
      await mkdir(root, { recursive: true, mode: 0o755 });
      for (const f of s.files) {
        if (f.redacted) {
          // A checkpoint never holds secret data: it is still on the tmpfs, or it is gone.
          if (tmpfsKept) continue;
          throw new PodctlError('FAILED_PRECONDITION', `the data of volume ${v.name} (${s.from}) of pod ${spec.name} was only in memory and is gone (host restarted?)`, { hint: 'remove the pod and apply its manifest again' });
        }
        const path = join(root, f.path);
        await mkdir(dirname(path), { recursive: true, mode: 0o755 });
        await writeFile(path, Buffer.from(f.contentBase64, 'base64'), { mode: f.mode });
        await chmod(path, f.mode);
      }
    }
    if (s.kind === 'hostPath' && s.type === 'DirectoryOrCreate') await mkdir(s.path, { recursive: true, mode: 0o755 });
    if (s.kind === 'hostPath' && s.type === 'FileOrCreate') {
      await mkdir(dirname(s.path), { recursive: true, mode: 0o755 });
      await writeFile(s.path, '', { flag: 'a', mode: 0o644 });
    }
  }
}

/** Unmounts the pod's tmpfs, if it has one mounted (its data goes with it). */
export async function releaseVolumes(deps: PodDeps, ref: { name: string; namespace: string }): Promise<void> {
  const dir = tmpfsDir(deps.store.podDir(ref));
  if (await lstat(dir).then(() => isMountPoint(dir), () => false)) await deps.host.run('umount', [dir]);
}

/** Docker mounts for one container: binds of the pod's directories or the host's paths, or Docker volumes. */
export async function dockerMounts(dockerVolumes: DockerVolumes, podDir: string, spec: PodSpec, c: ContainerSpec): Promise<Dockerode.MountSettings[]> {
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  const mounts: Dockerode.MountSettings[] = [];
  for (const m of c.mounts ?? []) {
    const v = volumes.get(m.volume);
    if (!v) throw invalidArgument(`container ${c.name} mounts volume "${m.volume}", which pod ${spec.name} does not have`, 'fix the volumeMount name');
    const s = v.source;
    // Kubernetes mounts configMap, secret and downwardAPI volumes read-only whatever the mount says.
    const readOnly = m.readOnly === true || s.kind === 'files' || (s.kind === 'named' && s.readOnly === true);
    let source: string;
    if (s.kind === 'named') {
      if (m.subPath === undefined) {
        mounts.push({ Type: 'volume', Source: s.volume, Target: m.mountPath, ReadOnly: readOnly });
        continue;
      }
      // Docker's API (1.41 here) has no volume subpath: bind the volume's own directory.
      source = await dockerVolumes.mountpoint(s.volume);
    } else {
      source = s.kind === 'hostPath' ? s.path : hostDirOf(podDir, v);
    }
    if (m.subPath) {
      source = join(source, m.subPath);
      // As the kubelet does, a missing subPath of a writable volume is created as a directory.
      if (s.kind !== 'files') await mkdir(source, { recursive: true }).catch(() => undefined);
    }
    mounts.push({ Type: 'bind', Source: source, Target: m.mountPath, ReadOnly: readOnly });
  }
  return mounts;
}
