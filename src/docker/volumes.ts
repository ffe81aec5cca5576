import type Dockerode from 'dockerode';
import { dockerStatus, wrapDockerError } from './client.js';

/** The Docker named-volume calls podctl makes (PersistentVolumeClaims, `run -v name:/path`). */
export class DockerVolumes {
  constructor(private readonly docker: Dockerode) {}

  /** Creates the volume unless it exists; returns true when it was created now. */
  async ensure(name: string, labels: Record<string, string>): Promise<boolean> {
    if (await this.exists(name)) return false;
    try {
      await this.docker.createVolume({ Name: name, Labels: labels });
      return true;
    } catch (err) {
      throw wrapDockerError(err, `create volume ${name}`);
    }
  }

  async exists(name: string): Promise<boolean> {
    return this.ifPresent(name, 'inspect', (v) => v.inspect());
  }

  /** The containers (running or not) that mount the volume, with their labels: one list call. */
  async users(name: string): Promise<Array<{ name: string; labels: Record<string, string> }>> {
    const rows = await this.docker.listContainers({ all: true, filters: { volume: [name] } });
    return rows.map((r) => ({ name: (r.Names[0] ?? r.Id).replace(/^\//, ''), labels: r.Labels ?? {} }));
  }

  /** Where the volume's data is on the host (local driver). */
  async mountpoint(name: string): Promise<string> {
    try {
      return ((await this.docker.getVolume(name).inspect()) as { Mountpoint: string }).Mountpoint;
    } catch (err) {
      throw wrapDockerError(err, `inspect volume ${name}`);
    }
  }

  /** Removes the volume; false when there was none. */
  async remove(name: string): Promise<boolean> {
    return this.ifPresent(name, 'remove', (v) => v.remove());
  }

  /** Runs one call on the volume: true when it ran, false when the volume does not exist (404). */
  private async ifPresent(name: string, doing: string, call: (volume: Dockerode.Volume) => Promise<unknown>): Promise<boolean> {
    try {
      await call(this.docker.getVolume(name));
      return true;
    } catch (err) {
      if (dockerStatus(err) === 404) return false;
      throw wrapDockerError(err, `${doing} volume ${name}`);
    }
  }
}
