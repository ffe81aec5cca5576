import type Dockerode from 'dockerode';
import { DEFAULT_PAUSE_IMAGE, buildPauseImage } from '../../docker/pause-image.js';
import { DockerContainers } from '../../docker/containers.js';
import { ensureImages } from '../../docker/images.js';
import { NetnsPins } from '../../netns/pins.js';
import { PodctlError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { runQuiet } from '../../util/run-command.js';
import type { Sandbox, SandboxEngine } from './engine.js';

/** The label that marks podctl cni test's pause containers (not pods: `podctl ps` ignores them). */
export const CNI_TEST_LABEL = 'io.podctl.cni-test';

/**
 * Docker pods without apps: podctl's own pause image (built locally, never pulled) with
 * `--network none`, its namespace pinned at /var/run/netns/<name> as podctl pods are, so
 * the CNI plugins run on exactly what a pod would have.
 */
export class DockerEngine implements SandboxEngine {
  readonly name = 'docker' as const;
  private readonly containers: DockerContainers;
  private readonly pins = new NetnsPins(runQuiet);

  constructor(private readonly docker: Dockerode, private readonly runId: string, private readonly logger: Logger) {
    this.containers = new DockerContainers(docker);
  }

  async prepare(): Promise<void> {
    const build = () => buildPauseImage(this.docker, DEFAULT_PAUSE_IMAGE, { logger: this.logger });
    await ensureImages(this.docker, [DEFAULT_PAUSE_IMAGE], { logger: this.logger, buildLocal: new Map([[DEFAULT_PAUSE_IMAGE, build]]) });
  }

  async create(name: string): Promise<Sandbox> {
    const id = await this.containers.create({
      name,
      image: DEFAULT_PAUSE_IMAGE,
      labels: { [CNI_TEST_LABEL]: this.runId },
      hostname: name,
      bareNetns: true,
      hostConfig: { RestartPolicy: { Name: 'no' } },
    });
    const sandbox: Sandbox = { id, netnsName: name, netnsPath: this.pins.path(name), removeCommands: [`ip netns delete ${name}`, `docker rm -f ${name}`] };
    try {
      await this.containers.start(id);
      const info = await this.containers.inspect(id);
      if (!info?.running || !info.pid) throw new PodctlError('INTERNAL', `pause container ${name} is not running after start`);
      await this.pins.pin(name, info.pid);
      return sandbox;
    } catch (err) {
      await this.remove(sandbox).catch(() => undefined);
      throw err;
    }
  }

  async remove(sandbox: Sandbox): Promise<void> {
    await this.pins.unpin(sandbox.netnsName);
    await this.containers.remove(sandbox.id);
  }

  async leftovers(sandbox: Sandbox): Promise<string[]> {
    const left: string[] = [];
    if (await this.pins.exists(sandbox.netnsName)) left.push(`namespace pin ${sandbox.netnsPath} still exists`);
    if (await this.containers.inspect(sandbox.id)) left.push(`pause container ${sandbox.netnsName} still exists`);
    return left;
  }
}
