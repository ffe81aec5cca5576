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
    try {
      await this.docker.getVolume(name).inspect();
      return true;
    } catch (err) {
      if (dockerStatus(err) === 404) return false;
      throw wrapDockerError(err, `inspect volume ${name}`);
    }
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

  async remove(name: string): Promise<boolean> {
    try {
      await this.docker.getVolume(name).remove();
      return true;
    } catch (err) {
      if (dockerStatus(err) === 404) return false;
      throw wrapDockerError(err, `remove volume ${name}`);
    }
  }
}
