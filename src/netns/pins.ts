import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PodctlError, errnoOf, messageOf } from '../util/errors.js';
import { validateNetnsName } from '../util/validate.js';

/** `ip netns` looks here and nowhere else, so podctl exposes namespaces here too. */
export const NETNS_DIR = '/var/run/netns';

export type RunCommand = (file: string, args: string[]) => Promise<void>;

/**
 * Exposes a container's network namespace at /var/run/netns/<name> as a bind mount of
 * /proc/<pid>/ns/net (`ip netns attach`). Unlike a symlink to the container's SandboxKey, the
 * bind mount keeps the namespace alive after the pause process dies, so CNI DEL can still
 * run in it and release everything the plugins set up.
 */
export class NetnsPins {
  constructor(private readonly run: RunCommand) {}

  path(name: string): string {
    return join(NETNS_DIR, name);
  }

  async exists(name: string): Promise<boolean> {
    try {
      await lstat(this.path(name));
      return true;
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return false;
      throw err;
    }
  }

  /** The names of every pin there is: one readdir for all pods (after a reboot, none). */
  async list(): Promise<string[]> {
    try {
      return await readdir(NETNS_DIR);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return [];
      throw err;
    }
  }

  /** Pins the namespace of `pid` as `name`; refuses to replace anything already there. */
  async pin(name: string, pid: number): Promise<string> {
    validateNetnsName(name);
    if (await this.exists(name)) {
      throw new PodctlError('ALREADY_EXISTS', `network namespace ${this.path(name)} already exists and podctl did not create it for this pod`, {
        hint: `remove it (ip netns delete ${name}) if nothing uses it, or choose another pod name`,
      });
    }
    try {
      await this.run('ip', ['netns', 'attach', name, String(pid)]);
    } catch (err) {
      throw new PodctlError('INTERNAL', `cannot expose the network namespace of pid ${pid} at ${this.path(name)}: ${messageOf(err)}`, { cause: err });
    }
    return this.path(name);
  }

  /** Unmounts and removes the pin; one that is already gone is fine. */
  async unpin(name: string): Promise<void> {
    validateNetnsName(name);
    if (!(await this.exists(name))) return;
    try {
      await this.run('ip', ['netns', 'delete', name]);
    } catch (err) {
      // A leftover plain file (a crash between create and mount) is not a mount: ip fails; remove it.
      if (await this.exists(name)) {
        const { rm } = await import('node:fs/promises');
        await rm(this.path(name), { force: true }).catch(() => {
          throw new PodctlError('INTERNAL', `cannot remove network namespace ${this.path(name)}: ${messageOf(err)}`, { cause: err });
        });
      }
    }
  }
}
